namespace GuestAgentKit.Xen.Platform;

/// <summary>A request to the hypervisor (or its loopback stand-in) failed.</summary>
public sealed class XenPlatformException : Exception
{
    /// <summary>Creates the exception.</summary>
    public XenPlatformException()
    {
    }

    /// <summary>Creates the exception with a message that names the operation and its arguments.</summary>
    /// <param name="message">What failed.</param>
    public XenPlatformException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The cause.</param>
    public XenPlatformException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
