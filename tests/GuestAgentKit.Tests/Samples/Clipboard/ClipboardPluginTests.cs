using System.Threading.Channels;
using GuestAgentKit.Protocol;
using GuestAgentKit.Samples.Clipboard.Dom0;
using GuestAgentKit.Samples.Clipboard.Guest;
using GuestAgentKit.Samples.Clipboard.Plugin;
using GuestAgentKit.Tests.Protocol;

namespace GuestAgentKit.Tests.Samples.Clipboard;

/// <summary><c>clipboard.*</c> over the real channel protocol: agent endpoint + forwarder and a dom0 session on a socket pair.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ClipboardPluginTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly InMemoryClipboard _clipboard = new();
    private readonly Channel<string> _changes = Channel.CreateUnbounded<string>();
    private readonly CancellationTokenSource _stop = new();
    private SocketPair _pair = null!;
    private Task _agent = null!;
    private Task _forwarder = null!;
    private ChannelSession _session = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        await _clipboard.SetTextAsync("before dom0 came", Ct);
        _pair = await SocketPair.CreateAsync();
        var service = new ClipboardService(_clipboard);
        var endpoint = ClipboardPlugin.CreateEndpoint(service, new AgentIdentity("clipboard-test", "1"));
        _agent = endpoint.RunAsync(_pair.Guest, _stop.Token);
        var options = ClipboardRpc.SessionOptions(text => _changes.Writer.TryWrite(text));
        _session = await ChannelSession.ConnectAsync(_pair.Host, ClipboardPlugin.Channel, options, Ct).WaitAsync(Timeout, Ct);
        _forwarder = ClipboardPlugin.ForwardChangesAsync(service, endpoint, _stop.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _session.DisposeAsync();
        await _stop.CancelAsync();
        await EndedAsync(_agent); // returns at the hang-up of dom0's close, or by cancellation
        await EndedAsync(_forwarder);
        await _pair.DisposeAsync();
        _stop.Dispose();
    }

    [Fact]
    public async Task Get_ReturnsGuestText()
    {
        Assert.Equal("before dom0 came", await ClipboardRpc.GetAsync(_session, Ct).WaitAsync(Timeout, Ct));
        Assert.Equal(["agent.ping", "clipboard.get", "clipboard.set"], _session.Welcome.Methods);
    }

    [Fact]
    public async Task Set_UnicodeText_GuestClipboardHoldsIt()
    {
        await ClipboardRpc.SetAsync(_session, "žluťoučký kůň 🐴\nline 2", Ct).WaitAsync(Timeout, Ct);

        Assert.Equal("žluťoučký kůň 🐴\nline 2", await _clipboard.GetTextAsync(Ct));
        Assert.Equal("žluťoučký kůň 🐴\nline 2", await ClipboardRpc.GetAsync(_session, Ct).WaitAsync(Timeout, Ct));
    }

    [Fact]
    public async Task GuestChange_ReachesDom0AsNotification_Dom0SetIsNotEchoed()
    {
        await ClipboardRpc.SetAsync(_session, "from dom0", Ct).WaitAsync(Timeout, Ct);
        await _clipboard.SetTextAsync("from the guest", Ct);

        // The first notification is the guest's change: dom0's own set was not echoed before it.
        Assert.Equal("from the guest", await _changes.Reader.ReadAsync(Ct).AsTask().WaitAsync(Timeout, Ct));
        await _clipboard.SetTextAsync("again", Ct);
        Assert.Equal("again", await _changes.Reader.ReadAsync(Ct).AsTask().WaitAsync(Timeout, Ct));
    }

    [Fact]
    public async Task Set_TextAtTheLimit_RefusedByDom0LineCapAndGuestUnchanged()
    {
        // The clipboard limit equals the channel's line cap, so the JSON line of such a text cannot be sent.
        var text = new string('x', ClipboardLimits.MaxTextBytes);

        await Assert.ThrowsAsync<LineTooLongException>(() => ClipboardRpc.SetAsync(_session, text, Ct).WaitAsync(Timeout, Ct));

        Assert.Equal("before dom0 came", await _clipboard.GetTextAsync(Ct));
        Assert.Equal("before dom0 came", await ClipboardRpc.GetAsync(_session, Ct).WaitAsync(Timeout, Ct));
    }

    private static async Task EndedAsync(Task task)
    {
        try
        {
            await task.WaitAsync(Timeout);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
