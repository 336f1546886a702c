using System.Text.Json.Serialization;

namespace GuestAgentKit.Guest.Agent;

/// <summary>The result of <c>agent.info</c> (JSON members are camelCase whatever the serializer's naming policy: <c>agentName</c>, <c>protocolVersions</c>, ...).</summary>
/// <param name="AgentName">The agent program's name, as in the welcome.</param>
/// <param name="AgentVersion">The agent program's version, as in the welcome.</param>
/// <param name="ProtocolVersions">The channel protocol versions the agent speaks.</param>
/// <param name="Channel">The channel name the agent serves.</param>
/// <param name="Hostname">The guest's host name.</param>
/// <param name="Os">The distribution (<c>PRETTY_NAME</c> of /etc/os-release) or else the kernel description.</param>
/// <param name="Kernel">The kernel release (<c>uname -r</c>).</param>
/// <param name="Architecture">The processor architecture, e.g. <c>X64</c>.</param>
/// <param name="UptimeSeconds">Seconds since the guest booted.</param>
/// <param name="AgentUptimeSeconds">Seconds since the agent started.</param>
/// <param name="Methods">Every method the agent serves.</param>
public sealed record AgentInfo(
    [property: JsonPropertyName("agentName")] string AgentName,
    [property: JsonPropertyName("agentVersion")] string AgentVersion,
    [property: JsonPropertyName("protocolVersions")] IReadOnlyList<int> ProtocolVersions,
    [property: JsonPropertyName("channel")] string Channel,
    [property: JsonPropertyName("hostname")] string Hostname,
    [property: JsonPropertyName("os")] string Os,
    [property: JsonPropertyName("kernel")] string Kernel,
    [property: JsonPropertyName("architecture")] string Architecture,
    [property: JsonPropertyName("uptimeSeconds")] long UptimeSeconds,
    [property: JsonPropertyName("agentUptimeSeconds")] long AgentUptimeSeconds,
    [property: JsonPropertyName("methods")] IReadOnlyList<string> Methods);
