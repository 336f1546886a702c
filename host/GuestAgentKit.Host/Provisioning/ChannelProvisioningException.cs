namespace GuestAgentKit.Host.Provisioning;

/// <summary>A channel could not be added, found or removed; the message says why and what to do.</summary>
public sealed class ChannelProvisioningException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ChannelProvisioningException()
    {
    }

    /// <summary>Creates the exception with a message for the operator.</summary>
    /// <param name="message">What went wrong.</param>
    public ChannelProvisioningException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public ChannelProvisioningException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
