using GuestAgentKit.Cli;

namespace GuestAgentKit.Tests.Cli;

public sealed class TextTableTests
{
    [Fact]
    public void ToString_RowsWiderThanHeaders_PadsEveryColumnButTheLast()
    {
        var table = new TextTable("Idx", "BE", "state");
        table.Add("1", "0", "4");
        table.Add("10", null, "Connected");

        Assert.Equal("Idx BE state\n1   0  4\n10     Connected\n", table.ToString());
    }
}
