namespace GuestAgentKit.Protocol;

/// <summary>One event on the agent's end of a channel.</summary>
/// <param name="kind">What happened.</param>
/// <param name="message">A human-readable description for logs.</param>
public sealed class AgentSessionEventArgs(AgentSessionEventKind kind, string message) : EventArgs
{
    /// <summary>What happened.</summary>
    public AgentSessionEventKind Kind { get; } = kind;

    /// <summary>A human-readable description for logs.</summary>
    public string Message { get; } = message;
}
