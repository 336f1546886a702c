namespace GuestAgentKit.Protocol;

/// <summary>The channel protocol failed: base of the specific handshake and session errors.</summary>
public class ChannelProtocolException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ChannelProtocolException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What failed.</param>
    public ChannelProtocolException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The cause.</param>
    public ChannelProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
