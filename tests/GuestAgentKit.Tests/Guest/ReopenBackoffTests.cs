using GuestAgentKit.Guest.Transport;

namespace GuestAgentKit.Tests.Guest;

public sealed class ReopenBackoffTests
{
    private static readonly ReopenBackoff Policy = new(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5));

    [Theory]
    [InlineData(0, 0)]
    [InlineData(-3, 0)]
    [InlineData(1, 100)]
    [InlineData(2, 200)]
    [InlineData(4, 800)]
    [InlineData(5, 1000)]
    [InlineData(64, 1000)]
    [InlineData(int.MaxValue, 1000)]
    public void DelayFor_Failures_DoublesUpToMaximum(int failures, int expectedMilliseconds)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMilliseconds), Policy.DelayFor(failures));
    }

    [Fact]
    public void Constructor_MaximumBelowInitial_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReopenBackoff(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReopenBackoff(TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.Zero));
    }

    [Fact]
    public void Default_ComesFromLimits()
    {
        Assert.Equal(Limits.ChannelReopenInitialDelay, ReopenBackoff.Default.InitialDelay);
        Assert.Equal(Limits.ChannelReopenMaximumDelay, ReopenBackoff.Default.DelayFor(int.MaxValue));
    }
}
