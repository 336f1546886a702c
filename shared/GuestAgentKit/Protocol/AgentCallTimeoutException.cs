namespace GuestAgentKit.Protocol;

/// <summary>The agent did not answer one call within the per-call timeout; the session stays usable.</summary>
public sealed class AgentCallTimeoutException : ChannelProtocolException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="method">The JSON-RPC method.</param>
    /// <param name="timeout">The per-call timeout.</param>
    public AgentCallTimeoutException(string method, TimeSpan timeout)
        : base($"the agent did not answer '{method}' within {ProtocolText.Duration(timeout)}")
    {
        Method = method;
        Timeout = timeout;
    }

    /// <summary>The JSON-RPC method.</summary>
    public string Method { get; }

    /// <summary>The per-call timeout.</summary>
    public TimeSpan Timeout { get; }
}
