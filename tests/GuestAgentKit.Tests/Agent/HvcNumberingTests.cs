using GuestAgentKit.Guest.Discovery;

namespace GuestAgentKit.Tests.Agent;

public sealed class HvcNumberingTests
{
    [Theory]
    [InlineData(new[] { "1" }, new[] { "1=1" })]
    [InlineData(new[] { "1", "2", "3" }, new[] { "1=1", "2=2", "3=3" })]
    [InlineData(new[] { "3", "1" }, new[] { "1=1", "3=2" })] // gaps: probe order, not devid
    [InlineData(new[] { "2", "5", "9" }, new[] { "2=1", "5=2", "9=3" })]
    [InlineData(new[] { "0", "10", "x", "1" }, new[] { "1=1" })] // hvc_xen rejects devid 0, "10" (taken as 0) and non-digits
    [InlineData(new[] { "1", "2", "3", "4", "5", "6", "7", "8", "9" }, new[] { "1=1", "2=2", "3=3", "4=4", "5=5", "6=6", "7=7" })] // 8 lines
    [InlineData(new string[0], new string[0])]
    public void Assign_NodeNames_MatchHvcXenProbeOrder(string[] nodes, string[] expected)
    {
        var assigned = HvcNumbering.Assign(nodes);

        Assert.Equal(expected.Order(), assigned.Select(p => $"{p.Key}={p.Value}").Order());
    }

    [Theory]
    [InlineData("1", 1)]
    [InlineData("9", 9)]
    [InlineData("0", null)]
    [InlineData("10", null)]
    [InlineData("01", null)]
    [InlineData("a", null)]
    [InlineData("", null)]
    public void ServedDevid_NodeName_OnlySingleDigitsOneToNine(string node, int? expected) =>
        Assert.Equal(expected, HvcNumbering.ServedDevid(node));
}
