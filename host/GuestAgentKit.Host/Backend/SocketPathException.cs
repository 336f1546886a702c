namespace GuestAgentKit.Host.Backend;

/// <summary>A channel socket path was refused as unsafe or unusable; the message names the path and the reason.</summary>
public sealed class SocketPathException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SocketPathException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">Why the path was refused.</param>
    public SocketPathException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    /// <param name="message">Why the path was refused.</param>
    /// <param name="innerException">The cause.</param>
    public SocketPathException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
