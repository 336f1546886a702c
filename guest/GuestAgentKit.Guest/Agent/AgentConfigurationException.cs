namespace GuestAgentKit.Guest.Agent;

/// <summary>The agent's configuration (file, environment or command line) has a value it cannot use.</summary>
public sealed class AgentConfigurationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public AgentConfigurationException()
    {
    }

    /// <summary>Creates the exception with a message naming the key and the problem.</summary>
    /// <param name="message">The message.</param>
    public AgentConfigurationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public AgentConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
