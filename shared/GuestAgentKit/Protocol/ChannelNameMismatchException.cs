namespace GuestAgentKit.Protocol;

/// <summary>The agent on this stream serves another channel than the one dom0 asked for.</summary>
public sealed class ChannelNameMismatchException : ChannelProtocolException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="expected">The name dom0 sent in its hello.</param>
    /// <param name="actual">The name the agent serves (from its reject), or null when it did not say.</param>
    public ChannelNameMismatchException(string expected, string? actual)
        : base($"the agent on this channel serves '{actual ?? "(unknown)"}', not '{expected}': the guest opened the wrong /dev/hvcN or the channel is misnamed")
    {
        Expected = expected;
        Actual = actual;
    }

    /// <summary>The name dom0 expected.</summary>
    public string Expected { get; }

    /// <summary>The name the agent serves.</summary>
    public string? Actual { get; }
}
