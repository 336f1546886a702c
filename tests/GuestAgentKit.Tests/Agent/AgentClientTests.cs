using System.Net.Sockets;
using System.Text.Json;
using GuestAgentKit.Channels;
using GuestAgentKit.Host.Client;
using GuestAgentKit.Xen;
using GuestAgentKit.Tests.XenStore;
using StreamJsonRpc;

namespace GuestAgentKit.Tests.Agent;

public sealed class AgentClientTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ConnectAsync_AgentOnSocket_TypedJsonAndBuiltinCalls()
    {
        await using var server = AgentSocketServer.Start();

        await using var client = await AgentClient.ConnectAsync(server.SocketPath, WellKnownChannels.Agent.Name, null, Ct).WaitAsync(Timeout, Ct);

        Assert.Equal("test-agent", client.Welcome.Agent.Name);
        Assert.Equal(server.SocketPath, client.SocketPath);
        Assert.Equal("pong", await client.PingAsync(Ct).WaitAsync(Timeout, Ct));
        Assert.Equal("typed", await client.InvokeAsync<string>("test.echo", new { text = "typed" }, Ct).WaitAsync(Timeout, Ct));
        using var parameters = JsonDocument.Parse("""{"text":"json \u00e9"}""");
        var echoed = await client.InvokeJsonAsync("test.echo", parameters.RootElement, Ct).WaitAsync(Timeout, Ct);
        Assert.Equal("json \u00e9", echoed.GetString());
    }

    [Fact]
    public async Task ConnectAsync_NotificationHandler_ReceivesWhatTheAgentSends()
    {
        await using var server = AgentSocketServer.Start();
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var options = new AgentClientOptions
        {
            NotificationHandlers = new Dictionary<string, Delegate> { ["test.changed"] = (string text) => received.TrySetResult(text) },
        };
        await using var client = await AgentClient.ConnectAsync(server.SocketPath, WellKnownChannels.Agent.Name, options, Ct).WaitAsync(Timeout, Ct);

        Assert.True(await server.LatestAgent.NotifyAsync("test.changed", new { text = "from the guest" }, Ct).WaitAsync(Timeout, Ct));

        Assert.Equal("from the guest", await received.Task.WaitAsync(Timeout, Ct));
        Assert.Equal("pong", await client.PingAsync(Ct).WaitAsync(Timeout, Ct));
    }

    [Fact]
    public async Task InvokeJsonAsync_UnknownMethod_RemoteErrorSessionGoesOn()
    {
        await using var server = AgentSocketServer.Start();
        await using var client = await AgentClient.ConnectAsync(server.SocketPath, WellKnownChannels.Agent.Name, null, Ct).WaitAsync(Timeout, Ct);

        var error = await Assert.ThrowsAsync<RemoteMethodNotFoundException>(() => client.InvokeJsonAsync("no.such", null, Ct).WaitAsync(Timeout, Ct));

        Assert.Equal(StreamJsonRpc.Protocol.JsonRpcErrorCode.MethodNotFound, error.ErrorCode);
        Assert.Equal("pong", await client.PingAsync(Ct).WaitAsync(Timeout, Ct));
    }

    [Fact]
    public async Task InvokeAsync_AgentGoneDuringCall_CallerAndCompletionContinueOffThePollerThread()
    {
        var server = AgentSocketServer.Start();
        await using var client = await AgentClient.ConnectAsync(server.SocketPath, WellKnownChannels.Agent.Name, null, Ct).WaitAsync(Timeout, Ct);
        var call = ThreadAfterAsync(client.InvokeAsync<int>("test.hang", null, Ct));
        var completion = ThreadAfterAsync(client.Session.Completion);
        Assert.Equal("pong", await client.PingAsync(Ct).WaitAsync(Timeout, Ct)); // answered after test.hang started

        // Closes the agent's end: the client's read loop, on the poller thread, sees end of stream and fails the call.
        await server.DisposeAsync();

        Assert.NotEqual("gak-fd-poller", await call.WaitAsync(Timeout, Ct));
        Assert.NotEqual("gak-fd-poller", await completion.WaitAsync(Timeout, Ct));
    }

    [Fact]
    public async Task InvokeJsonAsync_ArrayParameters_Refused()
    {
        await using var server = AgentSocketServer.Start();
        await using var client = await AgentClient.ConnectAsync(server.SocketPath, WellKnownChannels.Agent.Name, null, Ct).WaitAsync(Timeout, Ct);
        using var array = JsonDocument.Parse("[1]");

        await Assert.ThrowsAsync<ArgumentException>(() => client.InvokeJsonAsync("test.echo", array.RootElement, Ct));
    }

    [Fact]
    public async Task ConnectAsync_SilentPeer_HandshakeTimeoutNamesPath()
    {
        await using var server = AgentSocketServer.Start(silent: true);
        var options = new AgentClientOptions { HandshakeTimeout = TimeSpan.FromMilliseconds(300) };

        var error = await Assert.ThrowsAsync<AgentConnectionException>(() => AgentClient.ConnectAsync(server.SocketPath, WellKnownChannels.Agent.Name, options, Ct).WaitAsync(Timeout, Ct));

        Assert.Equal($"no agent answered the handshake within 300 ms on {server.SocketPath}: is the guest agent installed and running?", error.Message);
    }

    [Fact]
    public async Task ConnectAsync_OtherChannelName_HandshakeFailureExplained()
    {
        await using var server = AgentSocketServer.Start();

        var error = await Assert.ThrowsAsync<AgentConnectionException>(() => AgentClient.ConnectAsync(server.SocketPath, ChannelName.Parse("org.example.other.1"), null, Ct).WaitAsync(Timeout, Ct));

        Assert.StartsWith($"the handshake on {server.SocketPath} failed", error.Message, StringComparison.Ordinal);
        Assert.Contains("org.guestagentkit.agent.1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectAsync_NoSocket_Explained()
    {
        var path = Path.Combine(Path.GetTempPath(), "gak-missing-" + Guid.NewGuid().ToString("N"), "s.sock");

        var error = await Assert.ThrowsAsync<AgentConnectionException>(() => AgentClient.ConnectAsync(path, WellKnownChannels.Agent.Name, null, Ct).WaitAsync(Timeout, Ct));

        Assert.Equal($"no channel socket at {path}: is `gak-host backend` running and the channel provisioned?", error.Message);
    }

    [Fact]
    public async Task ConnectAsync_NobodyListening_RefusedExplained()
    {
        var directory = Directory.CreateTempSubdirectory("gak-refused-").FullName;
        var path = Path.Combine(directory, "s.sock");
        using var bound = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        bound.Bind(new UnixDomainSocketEndPoint(path)); // Bound but not listening, like a dead daemon's socket: ECONNREFUSED.
        try
        {
            var error = await Assert.ThrowsAsync<AgentConnectionException>(() => AgentClient.ConnectAsync(path, WellKnownChannels.Agent.Name, null, Ct).WaitAsync(Timeout, Ct));

            Assert.Equal($"connection refused on {path}: is `gak-host backend` running?", error.Message);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task ChannelSocketLocator_BackendNodes_FindsSocketByDomainNameOrId()
    {
        await using var harness = await XenStoreHarness.StartAsync();
        var dom0 = await harness.ConnectDom0Async();
        await dom0.WriteAsync("/local/domain/7/name", "web1", Ct);
        await dom0.WriteAsync("/local/domain/0/backend/console/7/1/name", "org.example.clip.1", Ct);
        await dom0.WriteAsync("/local/domain/0/backend/console/7/1/connection", "pty", Ct);
        await dom0.WriteAsync("/local/domain/0/backend/console/7/2/name", "org.guestagentkit.agent.1", Ct);
        await dom0.WriteAsync("/local/domain/0/backend/console/7/2/connection", "socket", Ct);
        await dom0.WriteAsync("/local/domain/0/backend/console/7/2/path", "/run/gak/web1.sock", Ct);

        var byName = await ChannelSocketLocator.ResolveDomainAsync(dom0, "web1", Ct).WaitAsync(Timeout, Ct);
        var byId = await ChannelSocketLocator.ResolveDomainAsync(dom0, "7", Ct).WaitAsync(Timeout, Ct);
        var path = await ChannelSocketLocator.FindSocketAsync(dom0, byName, WellKnownChannels.Agent.Name, Ct).WaitAsync(Timeout, Ct);
        var missing = await Assert.ThrowsAsync<AgentConnectionException>(() => ChannelSocketLocator.FindSocketAsync(dom0, byId, ChannelName.Parse("org.example.none.1"), Ct).WaitAsync(Timeout, Ct));
        var pty = await Assert.ThrowsAsync<AgentConnectionException>(() => ChannelSocketLocator.FindSocketAsync(dom0, byId, ChannelName.Parse("org.example.clip.1"), Ct).WaitAsync(Timeout, Ct));
        var noDomain = await Assert.ThrowsAsync<AgentConnectionException>(() => ChannelSocketLocator.ResolveDomainAsync(dom0, "db9", Ct).WaitAsync(Timeout, Ct));

        Assert.Equal(new DomainId(7), byName);
        Assert.Equal(byName, byId);
        Assert.Equal("/run/gak/web1.sock", path);
        Assert.StartsWith("no channel named 'org.example.none.1' on domain 7", missing.Message, StringComparison.Ordinal);
        Assert.Contains("connected to pty, not a socket", pty.Message, StringComparison.Ordinal);
        Assert.StartsWith("no domain named 'db9'", noDomain.Message, StringComparison.Ordinal);
    }

    /// <summary>The name of the thread the code awaiting <paramref name="task"/> continues on.</summary>
    private static async Task<string?> ThreadAfterAsync(Task task)
    {
        await task.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return Thread.CurrentThread.Name;
    }
}
