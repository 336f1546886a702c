namespace GuestAgentKit.Protocol;

/// <summary>What the agent said in its welcome.</summary>
/// <param name="Agent">Agent name and version.</param>
/// <param name="Version">The negotiated protocol version.</param>
/// <param name="Methods">The JSON-RPC methods the agent serves.</param>
public sealed record AgentWelcome(AgentIdentity Agent, int Version, IReadOnlyList<string> Methods);
