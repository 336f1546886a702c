namespace GuestAgentKit.Guest.Agent;

/// <summary>The result of <c>agent.info</c> (JSON members are camelCase: <c>agentName</c>, <c>protocolVersions</c>, ...).</summary>
/// <param name="AgentName">The agent program's name, as in the welcome.</param>
/// <param name="AgentVersion">The agent program's version, as in the welcome.</param>
/// <param name="ProtocolVersions">The channel protocol versions the agent speaks.</param>
/// <param name="Channel">The channel name the agent serves.</param>
/// <param name="Hostname">The guest's host name.</param>
/// <param name="Os">The distribution (<c>PRETTY_NAME</c> of /etc/os-release) or else the kernel description.</param>
/// <param name="Kernel">The kernel description (<c>uname</c>-like).</param>
/// <param name="Architecture">The processor architecture, e.g. <c>X64</c>.</param>
/// <param name="UptimeSeconds">Seconds since the guest booted.</param>
/// <param name="AgentUptimeSeconds">Seconds since the agent started.</param>
/// <param name="Methods">Every method the agent serves.</param>
public sealed record AgentInfo(
    string AgentName,
    string AgentVersion,
    IReadOnlyList<int> ProtocolVersions,
    string Channel,
    string Hostname,
    string Os,
    string Kernel,
    string Architecture,
    long UptimeSeconds,
    long AgentUptimeSeconds,
    IReadOnlyList<string> Methods);
