using GuestAgentKit.Channels;

namespace GuestAgentKit.Tests.Channels;

public sealed class ChannelNameTests
{
    [Theory]
    [InlineData("org.guestagentkit.agent.1")]
    [InlineData("org.xenproject.guest.clipboard.0.1")]
    [InlineData("a")]
    [InlineData("Weird_But-Valid!~")]
    public void Parse_ValidName_KeepsText(string text)
    {
        var name = ChannelName.Parse(text);

        Assert.Equal(text, name.Value);
        Assert.Equal(text, name.ToString());
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData(null, "empty")]
    [InlineData("a,b", "contains ',' at position 1")]
    [InlineData("a=b", "contains '=' at position 1")]
    [InlineData("ab\"", "contains '\"' at position 2")]
    [InlineData("a b", "a space (U+0020) at position 1")]
    [InlineData("a\tb", "a control character (U+0009) at position 1")]
    [InlineData("ab\u007f", "a control character (U+007F) at position 2")]
    [InlineData("a\u00e9", "a non-ASCII character (U+00E9) at position 1")]
    [InlineData("a\u00a0", "a whitespace character (U+00A0) at position 1")]
    public void Parse_BadName_ThrowsNamingRuleAndPosition(string? text, string expected)
    {
        var ex = Assert.Throws<ChannelNameException>(() => ChannelName.Parse(text));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TooLong_StatesLimitAndLength()
    {
        var ex = Assert.Throws<ChannelNameException>(() => ChannelName.Parse(new string('a', Limits.ChannelNameMaxBytes + 1)));

        Assert.Contains("129 bytes long; the limit is 128 bytes", ex.Message, StringComparison.Ordinal);
        Assert.True(ChannelName.TryParse(new string('a', Limits.ChannelNameMaxBytes), out _, out _));
    }

    [Fact]
    public void TryParse_BadName_ReturnsErrorWithoutThrowing()
    {
        Assert.False(ChannelName.TryParse("x y", out var name, out var error));
        Assert.Null(name);
        Assert.Contains("position 1", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Equality_IsOrdinal()
    {
        Assert.Equal(ChannelName.Parse("org.a.b.1"), ChannelName.Parse("org.a.b.1"));
        Assert.True(ChannelName.Parse("org.a.b.1") == ChannelName.Parse("org.a.b.1"));
        Assert.NotEqual(ChannelName.Parse("org.a.b.1"), ChannelName.Parse("ORG.a.b.1"));
    }

    [Theory]
    [InlineData("org.guestagentkit.agent.1")]
    [InlineData("org.xenproject.guest.clipboard.0.1")]
    [InlineData("com.example-corp.backup.2")]
    public void CheckConventions_ReverseDns_ReturnsNull(string text)
    {
        var name = ChannelName.Parse(text);

        Assert.Null(name.CheckConventions());
        Assert.True(name.IsReverseDns);
    }

    [Theory]
    [InlineData("agent", "at least 3 are recommended")]
    [InlineData("org.example.agent", "version number")]
    [InlineData("Org.Example.Agent.1", "lowercase")]
    [InlineData("org..agent.1", "empty label")]
    [InlineData("1org.example.agent.1", "starting with a letter")]
    public void CheckConventions_OtherForm_GivesAdvice(string text, string expected)
    {
        var name = ChannelName.Parse(text);

        var advice = name.CheckConventions();

        Assert.NotNull(advice);
        Assert.Contains(expected, advice, StringComparison.Ordinal);
        Assert.Contains("org.example.product.purpose.version", advice, StringComparison.Ordinal);
        Assert.False(name.IsReverseDns);
    }
}
