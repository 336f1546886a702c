using GuestAgentKit.Channels;
using GuestAgentKit.Protocol;
using Microsoft.Extensions.Time.Testing;
using StreamJsonRpc;

namespace GuestAgentKit.Tests.Protocol;

/// <summary>dom0's <see cref="ChannelSession"/> against the real <see cref="AgentEndpoint"/> over Unix sockets.</summary>
public sealed class ChannelSessionTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static HostSessionOptions Shared => new() { LeaveStreamOpen = true };

    [Fact]
    public async Task ConnectAsync_FreshAgent_WelcomeListsMethodsAndCallsWork()
    {
        await using var pair = await SocketPair.CreateAsync();
        await using var agent = new AgentHarness(pair.Guest);

        await using var session = await ChannelSession.ConnectAsync(pair.Host, AgentHarness.Name, Shared, Ct).WaitAsync(Wait, Ct);

        Assert.Equal(new AgentIdentity("gak-agent", "0.1.0"), session.Welcome.Agent);
        Assert.Equal(1, session.Welcome.Version);
        Assert.Equal(["agent.ping", "test.echo", "test.big", "test.fail", "test.hang"], session.Welcome.Methods);
        Assert.Equal("pong", await session.InvokeAsync<string>("agent.ping", null, Ct).WaitAsync(Wait, Ct));
        Assert.Equal("hi", await session.InvokeAsync<string>("test.echo", new { text = "hi" }, Ct).WaitAsync(Wait, Ct));
    }

    [Fact]
    public async Task InvokeAsync_ArgumentsNotAnObject_ThrowsArgumentExceptionAndSessionGoesOn()
    {
        await using var pair = await SocketPair.CreateAsync();
        await using var agent = new AgentHarness(pair.Guest);
        await using var session = await ChannelSession.ConnectAsync(pair.Host, AgentHarness.Name, Shared, Ct).WaitAsync(Wait, Ct);

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => session.InvokeAsync<string>("test.echo", 42, Ct));

        Assert.Contains("JSON object", ex.Message, StringComparison.Ordinal);
        Assert.Equal("hi", await session.InvokeAsync<string>("test.echo", new { text = "hi" }, Ct).WaitAsync(Wait, Ct));
    }

    [Fact]
    public async Task ConnectAsync_StaleBytesBothDirections_Discarded()
    {
        await using var pair = await SocketPair.CreateAsync();

        // Left over from earlier sessions and a modem prober, before the agent even runs.
        await new RawPeer(pair.Host).WriteAsync("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"test.ec" + "AT\r" + "AT\r\n");
        await new RawPeer(pair.Guest).WriteAsync(
            [.. "{\"jsonrpc\":\"2.0\",\"id\":3,\"res"u8, 0xFF, .. "{\"gak\":\"welcome\",\"nonce\":\"0badc0de\",\"version\":1,\"agent\":{\"name\":\"old\",\"version\":\"0\"},\"methods\":[]}\n"u8, .. "AT\r\ngarbage \u00e9\n"u8]);
        await using var agent = new AgentHarness(pair.Guest);

        await using var session = await ChannelSession.ConnectAsync(pair.Host, AgentHarness.Name, Shared, Ct).WaitAsync(Wait, Ct);

        Assert.Equal("gak-agent", session.Welcome.Agent.Name);
        Assert.Equal("pong", await session.InvokeAsync<string>("agent.ping", null, Ct).WaitAsync(Wait, Ct));
    }

    [Fact]
    public async Task ConnectAsync_AfterDom0DroppedMidMessage_NewSessionWorks()
    {
        await using var pair = await SocketPair.CreateAsync();
        await using var agent = new AgentHarness(pair.Guest);
        await using (var first = await ChannelSession.ConnectAsync(pair.Host, AgentHarness.Name, Shared, Ct).WaitAsync(Wait, Ct))
        {
            Assert.Equal("pong", await first.InvokeAsync<string>("agent.ping", null, Ct).WaitAsync(Wait, Ct));
        }

        // dom0 dies in the middle of writing a request; the stream (the backend's ring) stays.
        await new RawPeer(pair.Host).WriteAsync("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"test.echo\",\"params\":{\"te");

        await using var second = await ChannelSession.ConnectAsync(pair.Host, AgentHarness.Name, Shared, Ct).WaitAsync(Wait, Ct);

        Assert.Equal("again", await second.InvokeAsync<string>("test.echo", new { text = "again" }, Ct).WaitAsync(Wait, Ct));
        Assert.Equal(
            [AgentSessionEventKind.SessionStarted, AgentSessionEventKind.SessionEnded, AgentSessionEventKind.SessionStarted],
            agent.Kinds);
    }

    [Fact]
    public async Task ConnectAsync_WrongName_ClearErrorOnBothEndsAndAgentKeepsServing()
    {
        await using var pair = await SocketPair.CreateAsync();
        await using var agent = new AgentHarness(pair.Guest);

        var ex = await Assert.ThrowsAsync<ChannelNameMismatchException>(
            () => ChannelSession.ConnectAsync(pair.Host, ChannelName.Parse("org.example.other.1"), Shared, Ct).WaitAsync(Wait, Ct));

        Assert.Equal("org.guestagentkit.agent.1", ex.Actual);
        Assert.Contains("serves 'org.guestagentkit.agent.1', not 'org.example.other.1'", ex.Message, StringComparison.Ordinal);
        var rejected = Assert.Single(agent.Events);
        Assert.Equal(AgentSessionEventKind.NameMismatch, rejected.Kind);
        Assert.Contains("not 'org.example.other.1'", rejected.Message, StringComparison.Ordinal);
        await using var session = await ChannelSession.ConnectAsync(pair.Host, AgentHarness.Name, Shared, Ct).WaitAsync(Wait, Ct);
        Assert.Equal(1, session.Welcome.Version);
    }

    [Fact]
    public async Task ConnectAsync_NoCommonVersion_ThrowsVersionMismatchOnBothEnds()
    {
        await using var pair = await SocketPair.CreateAsync();
        await using var agent = new AgentHarness(pair.Guest);

        var ex = await Assert.ThrowsAsync<ProtocolVersionMismatchException>(
            () => ChannelSession.ConnectAsync(pair.Host, AgentHarness.Name, new HostSessionOptions { LeaveStreamOpen = true, ProtocolVersions = [2, 3] }, Ct).WaitAsync(Wait, Ct));

        Assert.Equal([1], ex.Supported);
        Assert.Contains("dom0 speaks [2,3], the agent speaks [1]", ex.Message, StringComparison.Ordinal);
        Assert.Equal([AgentSessionEventKind.VersionMismatch], agent.Kinds);
    }

    [Fact]
    public async Task ConnectAsync_AgentOffersSeveral_PicksHighestCommon()
    {
        await using var pair = await SocketPair.CreateAsync();
        await using var agent = new AgentHarness(pair.Guest, new AgentEndpointOptions { ProtocolVersions = [1, 2, 5] });

        await using var session = await ChannelSession.ConnectAsync(pair.Host, AgentHarness.Name, new HostSessionOptions { LeaveStreamOpen = true, ProtocolVersions = [1, 2, 3] }, Ct).WaitAsync(Wait, Ct);

        Assert.Equal(2, session.Welcome.Version);
    }

    [Fact]
    public async Task ConnectAsync_NobodyAnswers_HandshakeTimeoutAfterFakeTenSeconds()
    {
        await using var pair = await SocketPair.CreateAsync();
        var time = new FakeTimeProvider();
        var connect = ChannelSession.ConnectAsync(pair.Host, AgentHarness.Name, new HostSessionOptions { TimeProvider = time }, Ct);
        var hello = await new RawPeer(pair.Guest).ReadLineAsync();

        time.Advance(TimeSpan.FromSeconds(9.9));
        Assert.False(connect.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(0.1));
        var ex = await Assert.ThrowsAsync<HandshakeTimeoutException>(() => connect.WaitAsync(Wait, Ct));

        Assert.Equal(0xFF, hello[0]);
        Assert.Equal("no agent answered the handshake within 10 s: is the guest agent installed and running?", ex.Message);
    }

    [Fact]
    public async Task InvokeAsync_EveryByteValueInStrings_RoundTrips()
    {
        await using var pair = await SocketPair.CreateAsync();
        await using var agent = new AgentHarness(pair.Guest);
        await using var session = await ChannelSession.ConnectAsync(pair.Host, AgentHarness.Name, Shared, Ct).WaitAsync(Wait, Ct);
        var text = new string([.. Enumerable.Range(0, 256).Select(i => (char)i)]) + "\u20ac\U0001F600\n\r\"\\";

        var echoed = await session.InvokeAsync<string>("test.echo", new { text }, Ct).WaitAsync(Wait, Ct);

        Assert.Equal(text, echoed);
        Assert.Equal([AgentSessionEventKind.SessionStarted], agent.Kinds);
    }

    [Fact]
    public async Task InvokeAsync_UnknownMethodAndBadParams_JsonRpcErrorsAndSessionKeepsWorking()
    {
        await using var pair = await SocketPair.CreateAsync();
        await using var agent = new AgentHarness(pair.Guest);
        await using var session = await ChannelSession.ConnectAsync(pair.Host, AgentHarness.Name, Shared, Ct).WaitAsync(Wait, Ct);

        var unknown = await Assert.ThrowsAsync<RemoteMethodNotFoundException>(() => session.InvokeAsync<string>("test.nope", null, Ct).WaitAsync(Wait, Ct));
        var badParams = await Assert.ThrowsAnyAsync<RemoteRpcException>(() => session.InvokeAsync<string>("test.echo", new { text = 5, extra = true }, Ct).WaitAsync(Wait, Ct));
        var failed = await Assert.ThrowsAsync<RemoteInvocationException>(() => session.InvokeAsync<int>("test.fail", null, Ct).WaitAsync(Wait, Ct));

        Assert.Equal(-32601, (int)unknown.ErrorCode);
        Assert.NotNull(badParams);
        Assert.Equal("secret internal failure", failed.Message);
        Assert.Null(failed.ErrorData);
        Assert.Equal("pong", await session.InvokeAsync<string>("agent.ping", null, Ct).WaitAsync(Wait, Ct));
    }

    [Fact]
    public async Task InvokeAsync_AgentNeverAnswers_CallTimeoutThenSessionStillWorks()
    {
        await using var pair = await SocketPair.CreateAsync();
        await using var agent = new AgentHarness(pair.Guest);
        var time = new FakeTimeProvider();
        await using var session = await ChannelSession.ConnectAsync(pair.Host, AgentHarness.Name, new HostSessionOptions { LeaveStreamOpen = true, TimeProvider = time, KeepaliveInterval = Timeout.InfiniteTimeSpan }, Ct).WaitAsync(Wait, Ct);

        var hang = session.InvokeAsync<int>("test.hang", null, Ct);
        time.Advance(Limits.CallTimeout);
        var ex = await Assert.ThrowsAsync<AgentCallTimeoutException>(() => hang.WaitAsync(Wait, Ct));

        Assert.Equal("the agent did not answer 'test.hang' within 30 s", ex.Message);
        Assert.Equal("pong", await session.InvokeAsync<string>("agent.ping", null, Ct).WaitAsync(Wait, Ct));
    }

    [Fact]
    public async Task InvokeAsync_ResultOverAgentCap_AnsweredAsErrorNotHung()
    {
        await using var pair = await SocketPair.CreateAsync();
        await using var agent = new AgentHarness(pair.Guest, new AgentEndpointOptions { MaxLineBytes = 1000 });
        await using var session = await ChannelSession.ConnectAsync(pair.Host, AgentHarness.Name, Shared, Ct).WaitAsync(Wait, Ct);

        var ex = await Assert.ThrowsAsync<RemoteInvocationException>(() => session.InvokeAsync<string>("test.big", new { length = 5000 }, Ct).WaitAsync(Wait, Ct));

        Assert.Contains("too large for the channel: the line limit is 1000 bytes", ex.Message, StringComparison.Ordinal);
        Assert.Equal("pong", await session.InvokeAsync<string>("agent.ping", null, Ct).WaitAsync(Wait, Ct));
    }

    [Fact]
    public async Task InvokeAsync_AgentLineOverHostCap_LineTooLongAndSessionCloses()
    {
        await using var pair = await SocketPair.CreateAsync();
        await using var agent = new AgentHarness(pair.Guest);
        await using var session = await ChannelSession.ConnectAsync(pair.Host, AgentHarness.Name, new HostSessionOptions { LeaveStreamOpen = true, MaxLineBytes = 1000 }, Ct).WaitAsync(Wait, Ct);

        var ex = await Assert.ThrowsAsync<LineTooLongException>(() => session.InvokeAsync<string>("test.big", new { length = 5000 }, Ct).WaitAsync(Wait, Ct));

        Assert.Equal(1000, ex.Limit);
        Assert.InRange(ex.Observed, 5001, 5100);
        await session.Completion.WaitAsync(Wait, Ct);
        Assert.IsType<LineTooLongException>(session.CloseReason);
        await Assert.ThrowsAsync<LineTooLongException>(() => session.InvokeAsync<string>("agent.ping", null, Ct).WaitAsync(Wait, Ct));
    }

    [Fact]
    public async Task DisposeAsync_OwnedStream_AgentSeesEndOfStreamAndReturns()
    {
        await using var pair = await SocketPair.CreateAsync();
        await using var agent = new AgentHarness(pair.Guest);
        var session = await ChannelSession.ConnectAsync(pair.Host, AgentHarness.Name, null, Ct).WaitAsync(Wait, Ct);

        await session.DisposeAsync();
        await agent.Run.WaitAsync(Wait, Ct);

        Assert.Equal([AgentSessionEventKind.SessionStarted, AgentSessionEventKind.SessionEnded], agent.Kinds);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => session.InvokeAsync<string>("agent.ping", null, Ct));
    }
}
