using System.Text;
using GuestAgentKit.Channels;
using GuestAgentKit.Protocol;
using GuestAgentKit.Tests.Channels;

namespace GuestAgentKit.Tests.Protocol;

/// <summary>Golden bytes: the exact lines docs/protocol.md shows.</summary>
public sealed class HandshakeEncodingTests
{
    private const string Nonce = "00112233445566778899aabbccddeeff";

    // The JSON text of each example as docs/protocol.md prints it (after the 0xFF, before the LF).
    private const string HelloJson = """{"gak":"hello","nonce":"00112233445566778899aabbccddeeff","channel":"org.guestagentkit.agent.1","versions":[1]}""";
    private const string WelcomeJson = """{"gak":"welcome","nonce":"00112233445566778899aabbccddeeff","version":1,"agent":{"name":"gak-agent","version":"0.1.0"},"methods":["agent.ping"]}""";
    private const string RejectJson = """{"gak":"reject","nonce":"00112233445566778899aabbccddeeff","channel":"org.guestagentkit.agent.1","versions":[1],"reason":"name-mismatch","message":"this agent serves 'org.guestagentkit.agent.1', not 'org.example.other.1'"}""";

    [Fact]
    public void EncodeHello_MatchesDocumentedBytes()
    {
        var bytes = Handshake.EncodeHello(Nonce, ChannelName.Parse("org.guestagentkit.agent.1"), [1]);

        Assert.Equal([0xFF, .. Encoding.ASCII.GetBytes(HelloJson), 0x0A], bytes);
        Assert.Equal("FF 7B 22 67 61 6B 22 3A 22 68 65 6C 6C 6F 22 2C", Convert.ToHexString(bytes, 0, 16).Chunk(2).Select(c => new string(c)).Aggregate((a, b) => a + " " + b));
        AssertDocumented(HelloJson);
    }

    [Fact]
    public void EncodeWelcome_MatchesDocumentedBytes()
    {
        var bytes = Handshake.EncodeWelcome(Nonce, 1, new AgentIdentity("gak-agent", "0.1.0"), ["agent.ping"]);

        Assert.Equal([0xFF, .. Encoding.ASCII.GetBytes(WelcomeJson), 0x0A], bytes);
        AssertDocumented(WelcomeJson);
    }

    [Fact]
    public void EncodeReject_MatchesDocumentedBytes()
    {
        var bytes = Handshake.EncodeReject(
            Nonce,
            "name-mismatch",
            "this agent serves 'org.guestagentkit.agent.1', not 'org.example.other.1'",
            ChannelName.Parse("org.guestagentkit.agent.1"),
            [1]);

        Assert.Equal([0xFF, .. Encoding.ASCII.GetBytes(RejectJson), 0x0A], bytes);
        AssertDocumented(RejectJson);
    }

    [Fact]
    public void NewNonce_Is32LowercaseHexDigitsAndFresh()
    {
        var a = Handshake.NewNonce();

        Assert.Matches("^[0-9a-f]{32}$", a);
        Assert.NotEqual(a, Handshake.NewNonce());
        Assert.True(Handshake.IsValidNonce(a));
        Assert.False(Handshake.IsValidNonce("ABC"));
        Assert.False(Handshake.IsValidNonce(new string('a', 65)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("{\"nonce\":\"ab\"}")]
    [InlineData("{\"gak\":\"hello\",\"versions\":[\"x\"]}")]
    [InlineData("{\"gak\":1}")]
    public void TryDecode_NotAHandshakeObject_ReturnsNull(string line)
    {
        Assert.Null(Handshake.TryDecode(Encoding.UTF8.GetBytes(line)));
    }

    private static void AssertDocumented(string json)
    {
        var doc = File.ReadAllText(RepoFiles.Path("docs/protocol.md"));
        Assert.Contains(json, doc, StringComparison.Ordinal);
    }
}
