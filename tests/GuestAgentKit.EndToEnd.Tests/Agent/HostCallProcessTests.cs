using System.Diagnostics;
using System.Net.Sockets;

namespace GuestAgentKit.EndToEnd.Tests.Agent;

/// <summary><c>gak-host call|ping|info</c> as separate processes against real channel sockets.</summary>
public sealed class HostCallProcessTests : IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("gak-e2e-call-").FullName;

    private string SocketPath => Path.Combine(_directory, "agent.sock");

    [Fact]
    public async Task Call_Socket_PrintsJsonResult()
    {
        await using var agent = new SocketAgent(SocketPath);

        var (code, stdout, stderr) = await Tool.RunAsync("gak-host", "call", "--socket", SocketPath, "test.echo", """{"text":"hi \"there\""}""");

        Assert.True(code == 0, stderr);
        Assert.Equal("\"hi \\u0022there\\u0022\"\n", stdout);
    }

    [Fact]
    public async Task Call_DomainThroughXenstore_FindsBackendSocket()
    {
        await using var xenbus = await GuestXenbus.StartAsync();
        await using var agent = new SocketAgent(SocketPath);
        var ct = TestContext.Current.CancellationToken;
        await xenbus.Dom0.WriteAsync("/local/domain/5/name", "web1", ct);
        await xenbus.Dom0.WriteAsync("/local/domain/0/backend/console/5/1/name", "org.guestagentkit.agent.1", ct);
        await xenbus.Dom0.WriteAsync("/local/domain/0/backend/console/5/1/connection", "socket", ct);
        await xenbus.Dom0.WriteAsync("/local/domain/0/backend/console/5/1/path", SocketPath, ct);

        var byName = await Tool.RunAsync("gak-host", "call", "web1", "--xenstore", xenbus.Dom0Socket, "agent.ping");
        var wrongChannel = await Tool.RunAsync("gak-host", "ping", "5", "--xenstore", xenbus.Dom0Socket, "--channel", "org.example.none.1");

        Assert.Equal((0, "\"pong\"\n"), (byName.ExitCode, byName.Stdout));
        Assert.Equal(1, wrongChannel.ExitCode);
        Assert.StartsWith("gak-host: no channel named 'org.example.none.1' on domain 5", wrongChannel.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Call_UnknownMethod_ExitsOneWithJsonRpcError()
    {
        await using var agent = new SocketAgent(SocketPath);

        var (code, stdout, stderr) = await Tool.RunAsync("gak-host", "call", "--socket", SocketPath, "no.such");

        Assert.Equal(1, code);
        Assert.Empty(stdout);
        Assert.Contains("gak-host: no.such failed:", stderr, StringComparison.Ordinal);
        Assert.Contains("(JSON-RPC error -32601)", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Call_NoAgentAnswering_ExitsOneAfterHandshakeTimeout()
    {
        await using var silent = new SocketAgent(SocketPath, silent: true);
        var started = Stopwatch.GetTimestamp();

        var (code, _, stderr) = await Tool.RunAsync("gak-host", "ping", "--socket", SocketPath, "--handshake-timeout", "0.5");

        Assert.Equal(1, code);
        Assert.Equal($"gak-host: no agent answered the handshake within 500 ms on {SocketPath}: is the guest agent installed and running?\n", stderr);
        Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task Call_RefusedOrMissingSocket_ExitsOneWithHint()
    {
        using var bound = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        bound.Bind(new UnixDomainSocketEndPoint(SocketPath)); // not listening: ECONNREFUSED

        var refused = await Tool.RunAsync("gak-host", "call", "--socket", SocketPath, "agent.ping");
        var missing = await Tool.RunAsync("gak-host", "info", "--socket", SocketPath + ".gone");

        Assert.Equal((1, $"gak-host: connection refused on {SocketPath}: is `gak-host backend` running?\n"), (refused.ExitCode, refused.Stderr));
        Assert.Equal(1, missing.ExitCode);
        Assert.StartsWith($"gak-host: no channel socket at {SocketPath}.gone", missing.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Call_BadArguments_ExitTwo()
    {
        var notJson = await Tool.RunAsync("gak-host", "call", "--socket", SocketPath, "test.echo", "{text");
        var array = await Tool.RunAsync("gak-host", "call", "--socket", SocketPath, "test.echo", "[1]");
        var noTarget = await Tool.RunAsync("gak-host", "call", "agent.ping");

        Assert.Equal(2, notJson.ExitCode);
        Assert.Contains("not valid JSON", notJson.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, array.ExitCode);
        Assert.Contains("must be a JSON object", array.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, noTarget.ExitCode);
    }

    [Fact]
    public async Task Info_AgentProcessBehindSocat_FullChain()
    {
        var device = Path.Combine(_directory, "hvc1");
        // socat stands in for the backend: a pty for the guest side, a Unix socket for dom0.
        using var socat = Process.Start(new ProcessStartInfo("socat", [$"PTY,link={device},raw,echo=0", $"UNIX-LISTEN:{SocketPath},fork"]))!;
        try
        {
            await WaitForAsync(() => File.Exists(device) && File.Exists(SocketPath));
            await using var agent = Tool.Start("gak-agent", "run", "--device", device);
            await agent.WaitForStderrAsync("waiting for dom0's hello", TimeSpan.FromSeconds(30));

            // One dom0 session only: when it ends, socat's forked child closes the pty and the agent reopens
            // with backoff, so a second session could say hello before the agent is back (and flushing input).
            var info = await Tool.RunAsync("gak-host", "info", "--socket", SocketPath);

            Assert.True(info.ExitCode == 0, info.Stderr);
            Assert.Contains("agent:        gak-agent 0.1.0\n", info.Stdout, StringComparison.Ordinal);
            Assert.Contains($"hostname:     {Environment.MachineName}\n", info.Stdout, StringComparison.Ordinal);
            Assert.Contains("methods:      agent.ping, agent.info", info.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            socat.Kill();
            await socat.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        }
    }

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_directory, recursive: true);
        return ValueTask.CompletedTask;
    }

    /// <summary>Waits for a condition set by another process (files appear, a log line): bounded, polling at 50 ms.</summary>
    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(Stopwatch.Frequency * 30.0);
        while (!condition())
        {
            Assert.True(Stopwatch.GetTimestamp() < deadline, "timed out waiting for the other process");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}
