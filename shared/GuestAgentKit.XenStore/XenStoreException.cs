using GuestAgentKit.XenStore.Wire;

namespace GuestAgentKit.XenStore;

/// <summary>xenstored answered a request with an error.</summary>
public sealed class XenStoreException : Exception
{
    /// <summary>Creates the exception.</summary>
    public XenStoreException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public XenStoreException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public XenStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for an error reply.</summary>
    /// <param name="error">The error xenstored named.</param>
    /// <param name="operation">The request type.</param>
    /// <param name="path">The path (or argument) of the request.</param>
    public XenStoreException(XsErrorCode error, XsMessageType operation, string? path)
        : base($"xenstore {operation} {path} failed: {error}")
    {
        Error = error;
        Operation = operation;
        Path = path;
    }

    /// <summary>The error xenstored named.</summary>
    public XsErrorCode Error { get; }

    /// <summary>The request type that failed.</summary>
    public XsMessageType Operation { get; }

    /// <summary>The path (or argument) of the failed request.</summary>
    public string? Path { get; }
}
