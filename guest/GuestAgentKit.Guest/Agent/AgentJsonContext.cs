using System.Text.Json.Serialization;

namespace GuestAgentKit.Guest.Agent;

/// <summary>Source-generated serialization of the agent host's own results (NativeAOT needs it).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(AgentInfo))]
internal sealed partial class AgentJsonContext : JsonSerializerContext;
