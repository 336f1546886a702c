using GuestAgentKit.Channels.Xl;

namespace GuestAgentKit.Tests.Channels.Xl;

public sealed class XlChannelListTests
{
    private const string ConfigFile = """
        # Debian guest with two channels
        name = "guest1"   # the domain name
        memory = 1024; vcpus = 2
        disk = [ 'phy:/dev/vg/guest1,xvda,w', "format=raw, vdev=xvdb, target=/x#y" ]
        channel = [
            # the agent
            "connection=socket, name=org.guestagentkit.agent.1, path=/run/gak/guest1.sock",
            'connection=pty, name=org.xenproject.guest.clipboard.0.1',   # clipboard
        ]
        on_crash = "restart"
        """;

    [Fact]
    public void ParseConfig_WholeFileWithCommentsAndMultilineList_ExtractsChannels()
    {
        var specs = XlChannelList.ParseConfig(ConfigFile);

        Assert.Equal(2, specs.Count);
        Assert.Equal("org.guestagentkit.agent.1", specs[0].Name.Value);
        Assert.Equal("/run/gak/guest1.sock", specs[0].Path);
        Assert.Equal(ChannelConnection.Pty, specs[1].Connection);
    }

    [Fact]
    public void ParseConfig_NoChannelSetting_ReturnsEmpty()
    {
        Assert.Empty(XlChannelList.ParseConfig("name = \"x\"\n# channel = [ \"connection=pty, name=a\" ]\n"));
    }

    [Fact]
    public void FormatConfigLine_RoundTripsThroughParseConfig()
    {
        var specs = XlChannelList.ParseConfig(ConfigFile);

        var line = XlChannelList.FormatConfigLine(specs);

        Assert.Equal(
            "channel = [ \"connection=socket, name=org.guestagentkit.agent.1, path=/run/gak/guest1.sock\", \"connection=pty, name=org.xenproject.guest.clipboard.0.1\" ]",
            line);
        Assert.Equal(specs.Select(s => s.Format()), XlChannelList.ParseConfig(line).Select(s => s.Format()));
    }

    [Fact]
    public void Parse_DuplicateNames_ThrowsWithBothIndexes()
    {
        var ex = Assert.Throws<XlChannelSpecException>(() => XlChannelList.Parse(["connection=pty, name=a", "connection=pty, name=b", "connection=pty, name=a"]));

        Assert.Equal(2, ex.Index);
        Assert.Contains("channel 2 has the same name 'a' as channel 0", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseConfig_EntryError_CarriesListIndex()
    {
        var ex = Assert.Throws<XlChannelSpecException>(() => XlChannelList.ParseConfig("channel = [ \"connection=pty, name=a\", \"connection=pty\" ]"));

        Assert.Equal(1, ex.Index);
        Assert.Equal("channel 1 has no name", ex.Message);
    }

    [Theory]
    [InlineData("channel = \"connection=pty, name=a\"", "channel must be a list")]
    [InlineData("channel = [ \"connection=pty, name=a\"", "not closed with ']'")]
    [InlineData("channel = [ \"connection=pty, name=a", "string is not closed")]
    [InlineData("channel = [ \"connection=pty, name=a\" \"connection=pty, name=b\" ]", "expected ',' or ']'")]
    [InlineData("channel = [ 3 ]", "expected a quoted channel entry")]
    [InlineData("channel = []\nchannel = []", "'channel' is set twice")]
    public void ParseConfig_BadSyntax_ThrowsWithoutIndex(string text, string expected)
    {
        var ex = Assert.Throws<XlChannelSpecException>(() => XlChannelList.ParseConfig(text));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.Null(ex.Index);
    }
}
