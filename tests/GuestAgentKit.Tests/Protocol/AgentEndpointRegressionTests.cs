using System.Text;
using GuestAgentKit.Protocol;

namespace GuestAgentKit.Tests.Protocol;

/// <summary>
/// Lines the agent fuzz (<c>AgentEndpointFuzzTests</c>, docs/reliability.md) found to fault the JSON-RPC
/// session, and the reset that keeps the agent serving when a session faults anyway.
/// </summary>
public sealed class AgentEndpointRegressionTests
{
    private const string ParseError = "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":\"parse error: the line is not a JSON-RPC 2.0 message\"}}\n";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Case 40 318 of the long run (seed 20261125): <c>"method":null</c> parsed as a request and StreamJsonRpc's
    /// dispatch threw ArgumentException ("Method must be set"), which faulted the session; the agent took
    /// that for a hangup and <see cref="AgentEndpoint.RunAsync"/> returned.
    /// </summary>
    [Theory]
    [InlineData("{\"jsonrpc\":\"\\u0000\",\"id\":\"x\",\"method\":null,\"params\":[1,[2,[3]]]}")]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":null}")]
    [InlineData("{\"jsonrpc\":\"2.0\",\"method\":null,\"params\":{}}")]
    public async Task RunAsync_RequestWithNullMethod_ParseErrorAndSessionGoesOn(string line)
    {
        await AssertParseErrorAndSessionGoesOnAsync(line);
    }

    /// <summary>
    /// The agent calls nothing, so a result or error from dom0 matches no request; StreamJsonRpc faults the
    /// session on such a response. The agent answers it as a line that is not a message.
    /// </summary>
    [Theory]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":5,\"result\":\"pong\"}")]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"error\":{\"code\":-32000,\"message\":\"no\"}}")]
    [InlineData("{\"id\":null,\"result\":null}")]
    public async Task RunAsync_ResponseFromDom0_ParseErrorAndSessionGoesOn(string line)
    {
        await AssertParseErrorAndSessionGoesOnAsync(line);
    }

    [Fact]
    public async Task RunAsync_SessionFaults_ReportedResetAndNextSessionServed()
    {
        await using var pair = await SocketPair.CreateAsync();
        var guest = new WriteFaultingStream(pair.Guest);
        await using var agent = new AgentHarness(guest);
        var faulted = new TaskCompletionSource<AgentSessionEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        agent.Endpoint.SessionEvent += (_, e) =>
        {
            if (e.Kind == AgentSessionEventKind.SessionFaulted)
            {
                faulted.TrySetResult(e);
            }
        };
        var dom0 = new RawPeer(pair.Host);
        await dom0.HelloAsync("fa01", AgentHarness.Name.Value);

        // The answer and StreamJsonRpc's apology for it both fail: the session faults with the stream still open.
        guest.FailNextWrites(2);
        await dom0.WriteAsync("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"agent.ping\"}\n");
        var fault = await faulted.Task.WaitAsync(Timeout, TestContext.Current.CancellationToken);

        Assert.Contains("injected write fault", fault.Message, StringComparison.Ordinal);
        Assert.False(agent.Run.IsCompleted, "RunAsync ended on a faulted session");
        var welcome = await dom0.HelloAsync("fa02", AgentHarness.Name.Value);
        Assert.Equal("welcome", welcome.GetProperty("gak").GetString());
        await dom0.WriteAsync("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"agent.ping\"}\n");
        Assert.Equal("{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":\"pong\"}\n", Encoding.UTF8.GetString(await dom0.ReadLineAsync()));
        Assert.DoesNotContain(AgentSessionEventKind.SessionEnded, agent.Kinds);
    }

    private static async Task AssertParseErrorAndSessionGoesOnAsync(string line)
    {
        await using var pair = await SocketPair.CreateAsync();
        await using var agent = new AgentHarness(pair.Guest);
        var dom0 = new RawPeer(pair.Host);
        await dom0.HelloAsync("5e01", AgentHarness.Name.Value);

        await dom0.WriteAsync(line + "\n");
        var answer = Encoding.UTF8.GetString(await dom0.ReadLineAsync());
        await dom0.WriteAsync("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"agent.ping\"}\n");
        var pong = Encoding.UTF8.GetString(await dom0.ReadLineAsync());

        Assert.Equal(ParseError, answer);
        Assert.Equal("{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":\"pong\"}\n", pong);
        Assert.DoesNotContain(agent.Kinds, k => k is AgentSessionEventKind.SessionFaulted or AgentSessionEventKind.SessionEnded);
    }
}
