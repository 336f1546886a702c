namespace GuestAgentKit.Guest.Transport;

/// <summary>
/// Bounded exponential backoff for reopening a channel: no wait before the first attempt, then
/// <see cref="InitialDelay"/>, doubling per consecutive failure up to <see cref="MaximumDelay"/>. A session
/// that lasted <see cref="StableSession"/> or longer resets the count, so a guest resume reconnects at once
/// while a device that hangs up immediately cannot make the agent spin.
/// </summary>
public sealed record ReopenBackoff
{
    /// <summary>Creates a policy.</summary>
    /// <param name="initialDelay">Wait after the first failure; positive.</param>
    /// <param name="maximumDelay">Upper bound of the wait; at least <paramref name="initialDelay"/>.</param>
    /// <param name="stableSession">Session length that resets the failure count; not negative.</param>
    public ReopenBackoff(TimeSpan initialDelay, TimeSpan maximumDelay, TimeSpan stableSession)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(initialDelay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maximumDelay, initialDelay);
        ArgumentOutOfRangeException.ThrowIfLessThan(stableSession, TimeSpan.Zero);
        InitialDelay = initialDelay;
        MaximumDelay = maximumDelay;
        StableSession = stableSession;
    }

    /// <summary>The policy from <see cref="Limits"/>: 200 ms doubling to 10 s, reset by a 30 s session.</summary>
    public static ReopenBackoff Default { get; } =
        new(Limits.ChannelReopenInitialDelay, Limits.ChannelReopenMaximumDelay, Limits.ChannelStableSession);

    /// <summary>Wait after the first failure.</summary>
    public TimeSpan InitialDelay { get; }

    /// <summary>Upper bound of the wait.</summary>
    public TimeSpan MaximumDelay { get; }

    /// <summary>A session at least this long resets the failure count.</summary>
    public TimeSpan StableSession { get; }

    /// <summary>The wait before the next attempt after <paramref name="consecutiveFailures"/> failures.</summary>
    /// <param name="consecutiveFailures">Failures since the last success; 0 means none.</param>
    /// <returns>Zero for none, else <c>min(InitialDelay * 2^(n-1), MaximumDelay)</c>.</returns>
    public TimeSpan DelayFor(int consecutiveFailures)
    {
        if (consecutiveFailures <= 0)
        {
            return TimeSpan.Zero;
        }

        // Doubling past the maximum is pointless; the cap also keeps the shift from overflowing.
        var delay = InitialDelay;
        for (var i = 1; i < consecutiveFailures && delay < MaximumDelay; i++)
        {
            delay *= 2;
        }

        return delay < MaximumDelay ? delay : MaximumDelay;
    }
}
