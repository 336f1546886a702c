using System.Text.Json.Serialization;

namespace GuestAgentKit.Host.Cli.Commands;

/// <summary>Source-generated JSON for the channel commands (trim/AOT safe).</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.KebabCaseLower)]
[JsonSerializable(typeof(ChannelJson))]
[JsonSerializable(typeof(ChannelJson[]), TypeInfoPropertyName = "ChannelJsonArray")]
internal sealed partial class ChannelJsonContext : JsonSerializerContext
{
}
