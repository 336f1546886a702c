using System.Threading.Channels;
using GuestAgentKit.Protocol;

namespace GuestAgentKit.Tests.Protocol;

/// <summary>Agent → dom0 notifications: <see cref="AgentEndpoint.NotifyAsync"/> and <see cref="HostSessionOptions.NotificationHandlers"/>.</summary>
public sealed class AgentNotificationTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task NotifyAsync_NoSession_ReturnsFalse()
    {
        var endpoint = new AgentEndpoint(AgentHarness.Name, new AgentIdentity("a", "1"));

        Assert.False(await endpoint.NotifyAsync("test.changed", new { text = "x" }, Ct).WaitAsync(Timeout, Ct));
    }

    [Fact]
    public async Task NotifyAsync_DuringSession_HandlerGetsNamedParams()
    {
        await using var pair = await SocketPair.CreateAsync();
        await using var agent = new AgentHarness(pair.Guest);
        var received = Channel.CreateUnbounded<string>();
        var options = new HostSessionOptions
        {
            NotificationHandlers = new Dictionary<string, Delegate> { ["test.changed"] = (string text) => received.Writer.TryWrite(text) },
        };
        await using var session = await ChannelSession.ConnectAsync(pair.Host, AgentHarness.Name, options, Ct).WaitAsync(Timeout, Ct);

        Assert.True(await agent.Endpoint.NotifyAsync("test.changed", new { text = "héllo\nworld" }, Ct).WaitAsync(Timeout, Ct));

        Assert.Equal("héllo\nworld", await received.Reader.ReadAsync(Ct).AsTask().WaitAsync(Timeout, Ct));
        Assert.Equal("pong", await session.InvokeAsync<string>("agent.ping", null, Ct).WaitAsync(Timeout, Ct)); // the session goes on
    }

    [Fact]
    public async Task NotifyAsync_NoHandlerOnDom0_IgnoredAndSessionGoesOn()
    {
        await using var pair = await SocketPair.CreateAsync();
        await using var agent = new AgentHarness(pair.Guest);
        await using var session = await ChannelSession.ConnectAsync(pair.Host, AgentHarness.Name, null, Ct).WaitAsync(Timeout, Ct);

        Assert.True(await agent.Endpoint.NotifyAsync("test.unknown", null, Ct).WaitAsync(Timeout, Ct));

        Assert.Equal("pong", await session.InvokeAsync<string>("agent.ping", null, Ct).WaitAsync(Timeout, Ct));
    }

    [Fact]
    public async Task NotifyAsync_AfterSessionEnded_ReturnsFalse()
    {
        await using var pair = await SocketPair.CreateAsync();
        await using var agent = new AgentHarness(pair.Guest);
        var session = await ChannelSession.ConnectAsync(pair.Host, AgentHarness.Name, null, Ct).WaitAsync(Timeout, Ct);

        await session.DisposeAsync(); // closes dom0's end: the agent sees end of stream
        await agent.Run.WaitAsync(Timeout, Ct);

        Assert.False(await agent.Endpoint.NotifyAsync("test.changed", new { text = "x" }, Ct).WaitAsync(Timeout, Ct));
    }
}
