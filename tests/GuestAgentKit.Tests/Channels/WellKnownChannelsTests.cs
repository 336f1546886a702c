using GuestAgentKit.Channels;

namespace GuestAgentKit.Tests.Channels;

public sealed class WellKnownChannelsTests
{
    [Theory]
    [InlineData("org.xenproject.guest.clipboard.0.1", "Clipboard")]
    [InlineData("org.guestagentkit.agent.1", "JSON-RPC")]
    public void TryGet_RegisteredName_FindsEntry(string text, string descriptionPart)
    {
        Assert.True(WellKnownChannels.TryGet(ChannelName.Parse(text), out var channel));
        Assert.Equal(text, channel.Name.Value);
        Assert.Contains(descriptionPart, channel.Description, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(channel.Contact));
    }

    [Fact]
    public void TryGet_UnknownName_ReturnsFalse()
    {
        Assert.False(WellKnownChannels.TryGet(ChannelName.Parse("org.example.unknown.1"), out var channel));
        Assert.Null(channel);
    }

    [Fact]
    public void All_EveryEntryIsReverseDnsAndDocumented()
    {
        var doc = File.ReadAllText(RepoFiles.Path("docs/channels.md"));
        foreach (var channel in WellKnownChannels.All)
        {
            Assert.True(channel.Name.IsReverseDns, channel.Name.CheckConventions());
            Assert.Contains(channel.Name.Value, doc, StringComparison.Ordinal);
        }
    }
}
