namespace GuestAgentKit.Protocol;

/// <summary>Who the agent is, as reported in the welcome (<c>"agent":{"name":..,"version":..}</c>).</summary>
/// <param name="Name">Agent program name, e.g. <c>gak-agent</c>.</param>
/// <param name="Version">Agent version, e.g. <c>0.1.0</c>.</param>
public sealed record AgentIdentity(string Name, string Version);
