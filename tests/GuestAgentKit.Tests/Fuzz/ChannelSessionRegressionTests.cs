using System.Text;
using GuestAgentKit.Protocol;
using GuestAgentKit.Tests.Protocol;

namespace GuestAgentKit.Tests.Fuzz;

/// <summary>Cases the fuzzers found, kept as plain tests (docs/reliability.md lists them).</summary>
public sealed class ChannelSessionRegressionTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// Found by ConnectAndInvoke_HostileAgent (seed 20261125): an agent that stops reading right after its
    /// welcome made InvokeAsync fail with the raw IOException (EPIPE) of the request write.
    /// </summary>
    [Fact]
    public async Task InvokeAsync_AgentStoppedReading_ThrowsChannelSessionClosed()
    {
        await using var pair = await SocketPair.CreateAsync();
        await using var session = await ConnectAsync(pair, new RawPeer(pair.Guest));
        pair.Guest.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Receive); // our writes now fail with EPIPE

        await Assert.ThrowsAsync<ChannelSessionClosedException>(() => session.InvokeAsync<string>("agent.ping", null, Ct).WaitAsync(Timeout, Ct));
    }

    /// <summary>
    /// Found by ConnectAndInvoke_HostileAgent (seed 20261125): a result of the wrong JSON type escaped
    /// InvokeAsync as a System.Text.Json.JsonException instead of a channel protocol error.
    /// </summary>
    [Theory]
    [InlineData("{}")]
    [InlineData("5")]
    [InlineData("[\"pong\"]")]
    public async Task InvokeAsync_ResultOfWrongType_ThrowsChannelProtocolException(string result)
    {
        await using var pair = await SocketPair.CreateAsync();
        var agent = new RawPeer(pair.Guest);
        await using var session = await ConnectAsync(pair, agent);

        var call = session.InvokeAsync<string>("agent.ping", null, Ct);
        var request = await agent.ReadJsonLineAsync();
        await agent.WriteAsync($"{{\"jsonrpc\":\"2.0\",\"id\":{request.GetProperty("id").GetRawText()},\"result\":{result}}}\n");

        var error = await Assert.ThrowsAsync<ChannelProtocolException>(() => call.WaitAsync(Timeout, Ct));
        Assert.Contains("'agent.ping' with a result that is not a String", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Opens a session whose agent end is the raw peer: it answers the hello with a minimal welcome.</summary>
    private static async Task<ChannelSession> ConnectAsync(SocketPair pair, RawPeer agent)
    {
        var connecting = ChannelSession.ConnectAsync(pair.Host, AgentHarness.Name, new HostSessionOptions { LeaveStreamOpen = true }, Ct);
        var hello = await agent.ReadLineAsync();
        var nonce = System.Text.Json.JsonDocument.Parse(hello.AsMemory(1)).RootElement.GetProperty("nonce").GetString();
        await agent.WriteAsync([0xFF, .. Encoding.UTF8.GetBytes($"{{\"gak\":\"welcome\",\"nonce\":\"{nonce}\",\"version\":1,\"agent\":{{\"name\":\"a\",\"version\":\"1\"}},\"methods\":[]}}\n")]);
        return await connecting.WaitAsync(Timeout, Ct);
    }
}
