using GuestAgentKit.Channels;
using GuestAgentKit.Guest.Agent;
using GuestAgentKit.Guest.Transport;
using GuestAgentKit.Posix;
using GuestAgentKit.Protocol;
using GuestAgentKit.Tests.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Moq;
using StreamJsonRpc;

namespace GuestAgentKit.Tests.Agent;

/// <summary>The agent host serving a real pty (the test is dom0 on the master), reached through a symlink as the
/// loopback's <c>R/guests/D/hvcN</c> is, so a hang-up and a new pty can be staged.</summary>
public sealed class AgentHostTests : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly string _directory = Directory.CreateTempSubdirectory("gak-agent-").FullName;
    private Pty _pty;
    private IHost? _host;

    public AgentHostTests()
    {
        _pty = OpenPty();
        Link(_pty.SlavePath);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string DevicePath => Path.Combine(_directory, "hvc1");

    [Fact]
    public async Task RunAsync_Pty_HandshakePingInfoPluginAndErrors()
    {
        await StartAgentAsync();

        await using var session = await ConnectAsync();
        Assert.Equal(["agent.ping", "agent.info", "test.echo", "test.big", "test.fail", "test.hang"], session.Welcome.Methods);
        Assert.Equal("pong", await session.InvokeAsync<string>("agent.ping", null, Ct).WaitAsync(Timeout, Ct));
        Assert.Equal("hi", await session.InvokeAsync<string>("test.echo", new { text = "hi" }, Ct).WaitAsync(Timeout, Ct));
        var info = await session.InvokeAsync<System.Text.Json.JsonElement>("agent.info", null, Ct).WaitAsync(Timeout, Ct);
        Assert.Equal(WellKnownChannels.Agent.Name.Value, info.GetProperty("channel").GetString());
        Assert.Equal(session.Welcome.Agent.Name, info.GetProperty("agentName").GetString());
        Assert.Equal([1], info.GetProperty("protocolVersions").EnumerateArray().Select(v => v.GetInt32()));
        Assert.Equal(Environment.MachineName, info.GetProperty("hostname").GetString());
        Assert.True(info.GetProperty("uptimeSeconds").GetInt64() > 0);
        Assert.Contains("test.echo", info.GetProperty("methods").EnumerateArray().Select(m => m.GetString()));
        var unknown = await Assert.ThrowsAsync<RemoteMethodNotFoundException>(() => session.InvokeAsync<string>("no.such", null, Ct).WaitAsync(Timeout, Ct));
        Assert.Equal(StreamJsonRpc.Protocol.JsonRpcErrorCode.MethodNotFound, unknown.ErrorCode);
        Assert.Equal("pong", await session.InvokeAsync<string>("agent.ping", null, Ct).WaitAsync(Timeout, Ct));
    }

    [Fact]
    public async Task RunAsync_StaleBytesBeforeHello_Discarded()
    {
        await StartAgentAsync();
        await using (await ConnectAsync())
        {
        }

        await _pty.Master.WriteAsync("AT\r\n{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"agent.pi"u8.ToArray(), Ct).AsTask().WaitAsync(Timeout, Ct);
        await using var session = await ConnectAsync();

        Assert.Equal("pong", await session.InvokeAsync<string>("agent.ping", null, Ct).WaitAsync(Timeout, Ct));
    }

    [Fact]
    public async Task RunAsync_HangUpThenNewPty_ReopensAndServesAgain()
    {
        await StartAgentAsync();
        await using (var first = await ConnectAsync())
        {
            Assert.Equal("pong", await first.InvokeAsync<string>("agent.ping", null, Ct).WaitAsync(Timeout, Ct));
        }

        _pty.Dispose(); // The backend went away: the agent's tty hangs up.
        _pty = OpenPty();
        Link(_pty.SlavePath);

        await using var second = await ConnectAsync();
        Assert.Equal("hi", await second.InvokeAsync<string>("test.echo", new { text = "hi" }, Ct).WaitAsync(Timeout, Ct));
    }

    [Fact]
    public async Task Notifier_PluginAndOutsideCaller_Dom0HandlerReceivesBoth()
    {
        await StartAgentAsync(b => b.AddPlugin<IPokePlugin, PokePlugin>("poke"));
        var notifier = _host!.Services.GetRequiredService<IAgentNotifier>();
        var early = await notifier.NotifyAsync(PokePlugin.Notification, new { text = "nobody listens" }, Ct).WaitAsync(Timeout, Ct);
        var received = System.Threading.Channels.Channel.CreateUnbounded<string>();

        await using var session = await ConnectAsync(new Dictionary<string, Delegate> { [PokePlugin.Notification] = (string text) => received.Writer.TryWrite(text) });
        var sent = await session.InvokeAsync<bool>("poke.poke", new { text = "from a call" }, Ct).WaitAsync(Timeout, Ct);
        var first = await received.Reader.ReadAsync(Ct).AsTask().WaitAsync(Timeout, Ct);
        var sentOutside = await notifier.NotifyAsync(PokePlugin.Notification, new { text = "from outside" }, Ct).WaitAsync(Timeout, Ct);
        var second = await received.Reader.ReadAsync(Ct).AsTask().WaitAsync(Timeout, Ct);

        Assert.False(early); // no session yet: dropped, not queued
        Assert.True(sent);
        Assert.Equal("from a call", first);
        Assert.True(sentOutside);
        Assert.Equal("from outside", second);
        Assert.Same(notifier, _host.Services.GetRequiredService<IAgentNotifier>());
    }

    [Fact]
    public async Task Build_PluginPrefixClash_FailsAtStart()
    {
        var builder = AgentHost.CreateBuilder([]);
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(new AgentOptions { Device = DevicePath });
        builder.Services.AddAgentPlugin<IAgentInfo>("agent", _ => new Mock<IAgentInfo>().Object);
        using var host = builder.Build();

        var error = await Assert.ThrowsAnyAsync<ArgumentException>(() => host.StartAsync(Ct).WaitAsync(Timeout, Ct));
        Assert.Contains("agent.info", error.Message, StringComparison.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.StopAsync(Ct).WaitAsync(Timeout, Ct);
            _host.Dispose();
        }

        _pty.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task StartAgentAsync(Action<AgentHostBuilder>? configure = null)
    {
        var builder = AgentHost.CreateBuilder([]);
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(new AgentOptions
        {
            Device = DevicePath,
            Reopen = new ReopenBackoff(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(100), TimeSpan.Zero),
        });
        builder.AddPlugin<ITestService, TestService>("test");
        configure?.Invoke(builder);
        _host = builder.Build();
        await _host.StartAsync(Ct).WaitAsync(Timeout, Ct);
    }

    /// <summary>Handshakes on the master. The agent flushes its tty's input when it opens it, so a hello written
    /// before that open is lost: retry with a short handshake timeout, bounded overall.</summary>
    private async Task<ChannelSession> ConnectAsync(IReadOnlyDictionary<string, Delegate>? notificationHandlers = null)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            try
            {
                return await ChannelSession.ConnectAsync(
                    _pty.Master,
                    WellKnownChannels.Agent.Name,
                    new HostSessionOptions
                    {
                        LeaveStreamOpen = true,
                        HandshakeTimeout = TimeSpan.FromMilliseconds(300),
                        KeepaliveInterval = System.Threading.Timeout.InfiniteTimeSpan,
                        NotificationHandlers = notificationHandlers,
                    },
                    Ct);
            }
            catch (HandshakeTimeoutException) when (DateTime.UtcNow < deadline)
            {
            }
        }
    }

    /// <summary>A pty whose slave is raw from the start, as hvc_xen's side is to dom0: a cooked slave would echo
    /// a hello written before the agent opened it, and dom0 would read its own hello back.</summary>
    private static Pty OpenPty()
    {
        var pty = Pty.Open();
        pty.MakeRaw();
        return pty;
    }

    /// <summary>Points the device symlink at a pty slave in one step (rename over).</summary>
    private void Link(string target)
    {
        var temporary = Path.Combine(_directory, ".hvc1.new");
        File.Delete(temporary);
        File.CreateSymbolicLink(temporary, target);
        File.Move(temporary, DevicePath, overwrite: true);
    }
}
