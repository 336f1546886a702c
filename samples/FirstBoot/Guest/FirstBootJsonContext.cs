using System.Text.Json.Serialization;

namespace GuestAgentKit.Samples.FirstBoot.Guest;

/// <summary>
/// Source-generated JSON for the first-boot DTOs: camelCase, nulls honoured as declared (a JSON
/// <c>null</c> for a non-nullable member is a deserialization error, not a null reference later).
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectNullableAnnotations = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(FirstBootConfig))]
[JsonSerializable(typeof(FirstBootApplyResult))]
[JsonSerializable(typeof(FirstBootFieldError[]))]
[JsonSerializable(typeof(GuestAgentKit.Samples.FirstBoot.Plugin.FirstBootApplyFailure))]
public sealed partial class FirstBootJsonContext : JsonSerializerContext;
