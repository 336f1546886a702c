namespace GuestAgentKit.Protocol;

/// <summary>A line on the channel exceeded the line cap (<see cref="Limits.ProtocolLineMaxBytes"/>).</summary>
public sealed class LineTooLongException : ChannelProtocolException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="what">Which line, e.g. "the agent sent a line" or "request 'x'".</param>
    /// <param name="limit">The cap in bytes.</param>
    /// <param name="observed">The observed length in bytes.</param>
    public LineTooLongException(string what, long limit, long observed)
        : base($"{what} of {observed} bytes; the limit is {limit} bytes")
    {
        Limit = limit;
        Observed = observed;
    }

    /// <summary>The cap in bytes.</summary>
    public long Limit { get; }

    /// <summary>The observed length in bytes.</summary>
    public long Observed { get; }
}
