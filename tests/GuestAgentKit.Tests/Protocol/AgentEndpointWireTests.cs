using System.Text;
using GuestAgentKit.Protocol;

namespace GuestAgentKit.Tests.Protocol;

/// <summary>The real agent against a hand-written dom0 that speaks docs/protocol.md byte by byte.</summary>
public sealed class AgentEndpointWireTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Hello_Valid_WelcomeWithSameNonceAndMarker()
    {
        await using var pair = await SocketPair.CreateAsync();
        await using var agent = new AgentHarness(pair.Guest);
        var dom0 = new RawPeer(pair.Host);

        await dom0.WriteAsync([0xFF, .. """{"gak":"hello","nonce":"abc123","channel":"org.guestagentkit.agent.1","versions":[1]}"""u8, 0x0A]);
        var line = await dom0.ReadLineAsync();

        Assert.Equal(
            [0xFF, .. """{"gak":"welcome","nonce":"abc123","version":1,"agent":{"name":"gak-agent","version":"0.1.0"},"methods":["agent.ping","test.echo","test.big","test.fail","test.hang"]}"""u8, 0x0A],
            line);
    }

    [Fact]
    public async Task Request_Ping_ExactJsonRpcLines()
    {
        await using var pair = await SocketPair.CreateAsync();
        await using var agent = new AgentHarness(pair.Guest);
        var dom0 = new RawPeer(pair.Host);
        await dom0.HelloAsync("01", "org.guestagentkit.agent.1");

        await dom0.WriteAsync("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"agent.ping\"}\n");
        var answer = await dom0.ReadLineAsync();

        Assert.Equal("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"pong\"}\n", Encoding.UTF8.GetString(answer));
    }

    [Fact]
    public async Task Request_ThrowingMethod_ErrorWithoutStackTrace()
    {
        await using var pair = await SocketPair.CreateAsync();
        await using var agent = new AgentHarness(pair.Guest);
        var dom0 = new RawPeer(pair.Host);
        await dom0.HelloAsync("02", "org.guestagentkit.agent.1");

        await dom0.WriteAsync("{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"test.fail\"}\n");
        var answer = Encoding.UTF8.GetString(await dom0.ReadLineAsync());

        Assert.Equal("{\"jsonrpc\":\"2.0\",\"id\":4,\"error\":{\"code\":-32000,\"message\":\"secret internal failure\"}}\n", answer);
    }

    [Fact]
    public async Task Request_BadParams_InvalidParamsWithoutExceptionData()
    {
        await using var pair = await SocketPair.CreateAsync();
        await using var agent = new AgentHarness(pair.Guest);
        var dom0 = new RawPeer(pair.Host);
        await dom0.HelloAsync("0a", "org.guestagentkit.agent.1");

        await dom0.WriteAsync("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"test.echo\",\"params\":{\"text\":5}}\n");
        var error = await dom0.ReadJsonLineAsync();

        Assert.Equal(-32602, error.GetProperty("error").GetProperty("code").GetInt32());
        Assert.False(error.GetProperty("error").TryGetProperty("data", out _), error.GetRawText());
        Assert.DoesNotContain("   at ", error.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Request_UnknownMethod_ErrorWithoutStackTraceAndSessionGoesOn()
    {
        await using var pair = await SocketPair.CreateAsync();
        await using var agent = new AgentHarness(pair.Guest);
        var dom0 = new RawPeer(pair.Host);
        await dom0.HelloAsync("03", "org.guestagentkit.agent.1");

        await dom0.WriteAsync("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"no.such\",\"params\":[1]}\n");
        var error = await dom0.ReadJsonLineAsync();
        await dom0.WriteAsync("{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"agent.ping\"}\n");
        var pong = await dom0.ReadJsonLineAsync();

        Assert.Equal(-32601, error.GetProperty("error").GetProperty("code").GetInt32());
        Assert.DoesNotContain("   at ", error.GetRawText(), StringComparison.Ordinal);
        Assert.Equal("pong", pong.GetProperty("result").GetString());
    }

    [Fact]
    public async Task Line_OverCap_InvalidRequestErrorThenSessionGoesOn()
    {
        await using var pair = await SocketPair.CreateAsync();
        await using var agent = new AgentHarness(pair.Guest);
        var dom0 = new RawPeer(pair.Host);
        await dom0.HelloAsync("04", "org.guestagentkit.agent.1");
        var huge = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"test.echo\",\"params\":[\"" + new string('y', Limits.ProtocolLineMaxBytes) + "\"]}";

        await dom0.WriteAsync(huge + "\n");
        var error = Encoding.UTF8.GetString(await dom0.ReadLineAsync());
        await dom0.WriteAsync("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"agent.ping\"}\n");
        var pong = await dom0.ReadJsonLineAsync();

        Assert.Equal($"{{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{{\"code\":-32600,\"message\":\"line too long: {huge.Length} bytes; the limit is 1048576 bytes\"}}}}\n", error);
        Assert.Equal(2, pong.GetProperty("id").GetInt32());
        Assert.Contains(AgentSessionEventKind.LineTooLong, agent.Kinds);
    }

    [Fact]
    public async Task Line_Garbage_ParseErrorThenSessionGoesOn()
    {
        await using var pair = await SocketPair.CreateAsync();
        await using var agent = new AgentHarness(pair.Guest);
        var dom0 = new RawPeer(pair.Host);
        await dom0.HelloAsync("05", "org.guestagentkit.agent.1");

        await dom0.WriteAsync([.. "AT\r\n{\"half\":\n"u8, 0xC3, 0x28, 0x0A, .. "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"agent.ping\"}\n"u8]);
        var first = await dom0.ReadJsonLineAsync();
        var second = await dom0.ReadJsonLineAsync();
        var third = await dom0.ReadJsonLineAsync();
        var pong = await dom0.ReadJsonLineAsync();

        Assert.All([first, second, third], e => Assert.Equal(-32700, e.GetProperty("error").GetProperty("code").GetInt32()));
        Assert.Equal("pong", pong.GetProperty("result").GetString());
    }

    [Fact]
    public async Task Hello_Oversized_IgnoredAndNextHelloAnswered()
    {
        await using var pair = await SocketPair.CreateAsync();
        await using var agent = new AgentHarness(pair.Guest);
        var dom0 = new RawPeer(pair.Host);

        await dom0.WriteAsync([0xFF, .. Encoding.ASCII.GetBytes("{\"gak\":\"hello\",\"nonce\":\"" + new string('a', Limits.HandshakeLineMaxBytes + 1) + "\"}\n")]);
        var welcome = await dom0.HelloAsync("06", "org.guestagentkit.agent.1");

        Assert.Equal("welcome", welcome.GetProperty("gak").GetString());
        Assert.Equal([AgentSessionEventKind.MalformedHello, AgentSessionEventKind.SessionStarted], agent.Kinds);
    }

    [Theory]
    [InlineData("\"versions\":[]", "malformed-hello")]
    [InlineData("\"versions\":[7]", "version-mismatch")]
    public async Task Hello_Unacceptable_RejectWithReason(string versions, string reason)
    {
        await using var pair = await SocketPair.CreateAsync();
        await using var agent = new AgentHarness(pair.Guest);
        var dom0 = new RawPeer(pair.Host);

        var answer = await dom0.HelloAsync("07", "org.guestagentkit.agent.1", versions.Split(':')[1]);

        Assert.Equal("reject", answer.GetProperty("gak").GetString());
        Assert.Equal(reason, answer.GetProperty("reason").GetString());
        Assert.Equal(1, answer.GetProperty("versions")[0].GetInt32());
    }

    [Fact]
    public async Task Marker_MidSession_AbandonsSessionAndOldRepliesNeverLeak()
    {
        await using var pair = await SocketPair.CreateAsync();
        await using var agent = new AgentHarness(pair.Guest);
        var dom0 = new RawPeer(pair.Host);
        await dom0.HelloAsync("08", "org.guestagentkit.agent.1");
        await dom0.WriteAsync("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"test.hang\"}\n");

        var welcome = await dom0.HelloAsync("09", "org.guestagentkit.agent.1");
        await dom0.WriteAsync("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"agent.ping\"}\n");
        var next = await dom0.ReadJsonLineAsync();

        Assert.Equal("welcome", welcome.GetProperty("gak").GetString());
        Assert.Equal(2, next.GetProperty("id").GetInt32());
        Assert.Equal(
            [AgentSessionEventKind.SessionStarted, AgentSessionEventKind.SessionEnded, AgentSessionEventKind.SessionStarted],
            agent.Kinds);
    }

    [Fact]
    public async Task RunAsync_RandomBytes_SurvivesAndServesNextSession()
    {
        await using var pair = await SocketPair.CreateAsync();
        await using var agent = new AgentHarness(pair.Guest);
        var dom0 = new RawPeer(pair.Host);
        var random = new Random(1125);
        for (var i = 0; i < 200; i++)
        {
            var chunk = new byte[random.Next(1, 2000)];
            random.NextBytes(chunk);
            await dom0.WriteAsync(i % 4 == 0 ? [0xFF, .. "{\"gak\":\"hello\",\"nonce\":"u8, .. chunk, 0x0A] : chunk);
        }

        await dom0.WriteAsync("\n");
        var welcome = await dom0.HelloAsync("0b", "org.guestagentkit.agent.1");
        await dom0.WriteAsync("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"agent.ping\"}\n");

        Assert.Equal("welcome", welcome.GetProperty("gak").GetString());
        Assert.Equal("pong", (await dom0.ReadJsonLineAsync()).GetProperty("result").GetString());
        Assert.False(agent.Run.IsCompleted);
    }

    [Fact]
    public async Task RunAsync_ManySessions_AllServed()
    {
        await using var pair = await SocketPair.CreateAsync();
        await using var agent = new AgentHarness(pair.Guest);
        var dom0 = new RawPeer(pair.Host);

        for (var i = 0; i < 20; i++)
        {
            var nonce = i.ToString("x2", System.Globalization.CultureInfo.InvariantCulture);
            await dom0.WriteAsync("{\"jsonrpc\":\"2.0\",\"id\":99,\"method\":\"agent.pi");
            Assert.Equal("welcome", (await dom0.HelloAsync(nonce, "org.guestagentkit.agent.1")).GetProperty("gak").GetString());
            await dom0.WriteAsync($"{{\"jsonrpc\":\"2.0\",\"id\":{i},\"method\":\"agent.ping\"}}\n");
            Assert.Equal(i, (await dom0.ReadJsonLineAsync()).GetProperty("id").GetInt32());
        }

        Assert.Equal(20, agent.Kinds.Count(k => k == AgentSessionEventKind.SessionStarted));
    }
}
