using System.Text.Json.Serialization.Metadata;

namespace GuestAgentKit.Protocol;

/// <summary>Options of the agent's end of a channel (<see cref="AgentEndpoint"/>).</summary>
public sealed class AgentEndpointOptions
{
    /// <summary>Longest JSON-RPC line accepted from dom0; default <see cref="Limits.ProtocolLineMaxBytes"/>.</summary>
    public int MaxLineBytes { get; init; } = Limits.ProtocolLineMaxBytes;

    /// <summary>Protocol versions the agent speaks; default <c>[1]</c>.</summary>
    public IReadOnlyList<int> ProtocolVersions { get; init; } = [ChannelSession.ProtocolVersion];

    /// <summary>Serialization metadata for the targets' parameter and result types (source-generated for AOT).</summary>
    public IJsonTypeInfoResolver? JsonTypeInfoResolver { get; init; }
}
