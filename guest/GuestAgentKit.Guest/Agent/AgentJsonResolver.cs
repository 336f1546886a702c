using System.Text.Json.Serialization.Metadata;

namespace GuestAgentKit.Guest.Agent;

/// <summary>Serialization metadata a plugin contributes for its parameter and result types
/// (<see cref="AgentServiceCollectionExtensions.AddAgentJsonTypeInfoResolver"/>).</summary>
/// <param name="Resolver">E.g. a source-generated <c>JsonSerializerContext.Default</c>.</param>
public sealed record AgentJsonResolver(IJsonTypeInfoResolver Resolver);
