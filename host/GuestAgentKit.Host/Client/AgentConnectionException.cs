namespace GuestAgentKit.Host.Client;

/// <summary>No session with the agent could be opened: the channel is unknown, the socket is missing or refuses, or
/// no agent answered the handshake. The message says what was tried and what to check; the cause is inner.</summary>
public sealed class AgentConnectionException : Exception
{
    /// <summary>Creates the exception.</summary>
    public AgentConnectionException()
    {
    }

    /// <summary>Creates the exception with its message.</summary>
    /// <param name="message">What failed and what to check.</param>
    public AgentConnectionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its message and cause.</summary>
    /// <param name="message">What failed and what to check.</param>
    /// <param name="innerException">The cause.</param>
    public AgentConnectionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
