using System.Text.Json.Serialization;

namespace GuestAgentKit.Samples.FirstBoot.Plugin;

/// <summary>The <c>data</c> of a <see cref="FirstBootErrorCodes.ApplyFailed"/> error.</summary>
/// <param name="Path">The guest path the failure is about (empty when unknown).</param>
/// <param name="RollbackComplete">Whether every change already made was undone.</param>
public sealed record FirstBootApplyFailure(
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("rollbackComplete")] bool RollbackComplete);
