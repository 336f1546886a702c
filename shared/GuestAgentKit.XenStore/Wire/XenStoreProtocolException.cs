namespace GuestAgentKit.XenStore.Wire;

/// <summary>The peer sent bytes that are not a valid xenstore message; the connection cannot continue.</summary>
public sealed class XenStoreProtocolException : IOException
{
    /// <summary>Creates the exception.</summary>
    public XenStoreProtocolException()
    {
    }

    /// <summary>Creates the exception with a message stating the limit and the observed value.</summary>
    /// <param name="message">What was wrong.</param>
    public XenStoreProtocolException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    /// <param name="message">What was wrong.</param>
    /// <param name="innerException">The cause.</param>
    public XenStoreProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
