namespace GuestAgentKit.XenStore;

/// <summary>The connection to xenstored is gone; every pending and later request fails with this,
/// carrying the first reason.</summary>
public sealed class XenStoreConnectionClosedException : IOException
{
    /// <summary>Creates the exception.</summary>
    public XenStoreConnectionClosedException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public XenStoreConnectionClosedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the first reason.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The first reason the connection closed.</param>
    public XenStoreConnectionClosedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
