using System.Text;
using System.Text.Json;
using GuestAgentKit.Protocol;
using Microsoft.Extensions.Time.Testing;

namespace GuestAgentKit.Tests.Protocol;

/// <summary>The real dom0 session against a hand-written agent.</summary>
public sealed class ChannelSessionRawAgentTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<ChannelSession> ConnectToRawAgentAsync(SocketPair pair, RawPeer agent, HostSessionOptions options)
    {
        var connect = ChannelSession.ConnectAsync(pair.Host, AgentHarness.Name, options, Ct);
        var hello = await agent.ReadLineAsync();
        using var json = JsonDocument.Parse(hello.AsMemory(1));
        var nonce = json.RootElement.GetProperty("nonce").GetString();

        // A stale welcome with another nonce first: dom0 must skip it.
        await agent.WriteAsync([0xFF, .. Encoding.UTF8.GetBytes($"{{\"gak\":\"welcome\",\"nonce\":\"ffff\",\"version\":1,\"agent\":{{\"name\":\"old\",\"version\":\"0\"}},\"methods\":[]}}\n")]);
        await agent.WriteAsync([0xFF, .. Encoding.UTF8.GetBytes($"{{\"gak\":\"welcome\",\"nonce\":\"{nonce}\",\"version\":1,\"agent\":{{\"name\":\"raw\",\"version\":\"9\"}},\"methods\":[\"agent.ping\"]}}\n")]);
        return await connect.WaitAsync(Wait, Ct);
    }

    /// <summary>
    /// A busy backend writes one line and closes before reading the hello (found by the loopback chain test:
    /// <c>gak-host call</c> died with the raw EPIPE IOException of the hello write).
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ConnectAsync_PeerSaysWhyAndCloses_ClosedExceptionQuotingTheLine(bool peerStopsReadingFirst)
    {
        await using var pair = await SocketPair.CreateAsync();
        await pair.Guest.WriteAsync("gak-backend: channel 1/1 is busy: another client is connected\n"u8.ToArray(), Ct);
        if (peerStopsReadingFirst)
        {
            pair.Guest.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Receive); // the hello write then fails with EPIPE
        }

        pair.Guest.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
        var error = await Assert.ThrowsAsync<ChannelSessionClosedException>(
            () => ChannelSession.ConnectAsync(pair.Host, AgentHarness.Name, new HostSessionOptions { LeaveStreamOpen = true }, Ct).WaitAsync(Wait, Ct));

        Assert.Equal(
            "the channel closed during the handshake (no agent, or the backend dropped the connection); its last line was 'gak-backend: channel 1/1 is busy: another client is connected'",
            error.Message);
    }

    [Fact]
    public async Task Keepalive_IdleChannel_PingsAndClosesWhenUnanswered()
    {
        await using var pair = await SocketPair.CreateAsync();
        var agent = new RawPeer(pair.Guest);
        var time = new FakeTimeProvider();
        await using var session = await ConnectToRawAgentAsync(pair, agent, new HostSessionOptions { TimeProvider = time });
        Assert.Equal("raw", session.Welcome.Agent.Name);

        time.Advance(Limits.KeepaliveInterval);
        var ping = await agent.ReadJsonLineAsync();
        time.Advance(Limits.CallTimeout);
        await session.Completion.WaitAsync(Wait, Ct);

        Assert.Equal("agent.ping", ping.GetProperty("method").GetString());
        Assert.Equal("2.0", ping.GetProperty("jsonrpc").GetString());
        var reason = Assert.IsType<ChannelSessionClosedException>(session.CloseReason);
        Assert.Equal("the agent did not answer the keepalive ping within 30 s", reason.Message);
    }

    [Fact]
    public async Task Keepalive_AnsweredPing_SessionStaysOpen()
    {
        await using var pair = await SocketPair.CreateAsync();
        var agent = new RawPeer(pair.Guest);
        var time = new FakeTimeProvider();
        await using var session = await ConnectToRawAgentAsync(pair, agent, new HostSessionOptions { TimeProvider = time });

        time.Advance(Limits.KeepaliveInterval);
        var ping = await agent.ReadJsonLineAsync();
        await agent.WriteAsync($"{{\"jsonrpc\":\"2.0\",\"id\":{ping.GetProperty("id").GetRawText()},\"result\":\"pong\"}}\n");
        var call = session.InvokeAsync<string>("agent.ping", null, Ct);
        var request = await agent.ReadJsonLineAsync();
        await agent.WriteAsync($"{{\"jsonrpc\":\"2.0\",\"id\":{request.GetProperty("id").GetRawText()},\"result\":\"pong\"}}\n");

        Assert.Equal("pong", await call.WaitAsync(Wait, Ct));
        Assert.Null(session.CloseReason);
        Assert.False(session.Completion.IsCompleted);
    }

    [Fact]
    public async Task InvokeAsync_AgentHangsUp_PendingCallFailsWithSessionClosed()
    {
        await using var pair = await SocketPair.CreateAsync();
        var agent = new RawPeer(pair.Guest);
        await using var session = await ConnectToRawAgentAsync(pair, agent, new HostSessionOptions());
        var call = session.InvokeAsync<string>("agent.ping", null, Ct);
        await agent.ReadLineAsync();

        pair.Guest.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Both);

        var ex = await Assert.ThrowsAsync<ChannelSessionClosedException>(() => call.WaitAsync(Wait, Ct));
        Assert.Contains("hung up", ex.Message, StringComparison.Ordinal);
        await session.Completion.WaitAsync(Wait, Ct);
    }

    [Fact]
    public async Task ConnectAsync_RandomBytesBeforeWelcome_FindsMatchingWelcome()
    {
        await using var pair = await SocketPair.CreateAsync();
        var agent = new RawPeer(pair.Guest);
        var garbage = new byte[64 * 1024];
        new Random(7).NextBytes(garbage);
        await agent.WriteAsync(garbage);

        await using var session = await ConnectToRawAgentAsync(pair, agent, new HostSessionOptions());

        Assert.Equal("raw", session.Welcome.Agent.Name);
    }

    [Fact]
    public async Task InvokeAsync_GarbageAndMarkerFromAgent_IgnoredAndCallCompletes()
    {
        await using var pair = await SocketPair.CreateAsync();
        var agent = new RawPeer(pair.Guest);
        await using var session = await ConnectToRawAgentAsync(pair, agent, new HostSessionOptions());
        var call = session.InvokeAsync<string>("agent.ping", null, Ct);
        var request = await agent.ReadJsonLineAsync();

        await agent.WriteAsync([.. "AT\r\nnot json\n"u8, 0xFF, .. Encoding.UTF8.GetBytes($"{{\"jsonrpc\":\"2.0\",\"id\":{request.GetProperty("id").GetRawText()},\"result\":\"pong\"}}\n")]);

        Assert.Equal("pong", await call.WaitAsync(Wait, Ct));
    }

    [Fact]
    public async Task InvokeAsync_CallerCancels_OperationCanceledNotTimeout()
    {
        await using var pair = await SocketPair.CreateAsync();
        var agent = new RawPeer(pair.Guest);
        await using var session = await ConnectToRawAgentAsync(pair, agent, new HostSessionOptions());
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var call = session.InvokeAsync<string>("agent.ping", null, cancel.Token);
        var request = await agent.ReadJsonLineAsync();

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(Wait, Ct));
        var cancelRequest = await agent.ReadJsonLineAsync();

        Assert.Equal("$/cancelRequest", cancelRequest.GetProperty("method").GetString());
        Assert.Equal(request.GetProperty("id").GetRawText(), cancelRequest.GetProperty("params").GetProperty("id").GetRawText());
    }

    [Fact]
    public async Task ConnectAsync_MalformedHelloReject_ThrowsHandshakeRejected()
    {
        await using var pair = await SocketPair.CreateAsync();
        var agent = new RawPeer(pair.Guest);
        var connect = ChannelSession.ConnectAsync(pair.Host, AgentHarness.Name, null, Ct);
        using var hello = JsonDocument.Parse((await agent.ReadLineAsync()).AsMemory(1));
        var nonce = hello.RootElement.GetProperty("nonce").GetString();

        await agent.WriteAsync([0xFF, .. Encoding.UTF8.GetBytes($"{{\"gak\":\"reject\",\"nonce\":\"{nonce}\",\"reason\":\"malformed-hello\",\"message\":\"bad\"}}\n")]);

        var ex = await Assert.ThrowsAsync<HandshakeRejectedException>(() => connect.WaitAsync(Wait, Ct));
        Assert.Equal("malformed-hello", ex.Reason);
        Assert.Equal("the agent rejected the handshake: malformed-hello: bad", ex.Message);
    }

    [Fact]
    public async Task ConnectAsync_MalformedWelcome_ThrowsProtocolError()
    {
        await using var pair = await SocketPair.CreateAsync();
        var agent = new RawPeer(pair.Guest);
        var connect = ChannelSession.ConnectAsync(pair.Host, AgentHarness.Name, null, Ct);
        using var hello = JsonDocument.Parse((await agent.ReadLineAsync()).AsMemory(1));
        var nonce = hello.RootElement.GetProperty("nonce").GetString();

        await agent.WriteAsync([0xFF, .. Encoding.UTF8.GetBytes($"{{\"gak\":\"welcome\",\"nonce\":\"{nonce}\",\"version\":4}}\n")]);

        var ex = await Assert.ThrowsAsync<ChannelProtocolException>(() => connect.WaitAsync(Wait, Ct));
        Assert.Contains("malformed welcome", ex.Message, StringComparison.Ordinal);
    }
}
