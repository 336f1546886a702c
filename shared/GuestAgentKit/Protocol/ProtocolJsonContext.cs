using System.Text.Json;
using System.Text.Json.Serialization;
using StreamJsonRpc;

namespace GuestAgentKit.Protocol;

/// <summary>
/// Source-generated serialization for the handshake and the JSON-RPC plumbing. <see cref="RequestId"/>
/// must be listed or StreamJsonRpc's <c>$/cancelRequest</c> silently does nothing (STYLE.md).
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(HandshakeMessage))]
[JsonSerializable(typeof(RequestId))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(double))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class ProtocolJsonContext : JsonSerializerContext;
