namespace GuestAgentKit.Protocol;

/// <summary>The session ended (hangup, keepalive failure, protocol error or disposal) before a call completed.</summary>
public sealed class ChannelSessionClosedException : ChannelProtocolException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">Why the session ended.</param>
    public ChannelSessionClosedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    /// <param name="message">Why the session ended.</param>
    /// <param name="innerException">The cause.</param>
    public ChannelSessionClosedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
