using System.Text.Json.Serialization;

namespace GuestAgentKit.Samples.FirstBoot.Guest;

/// <summary>The outcome of a successful apply: every managed file, in apply order.</summary>
/// <remarks>
/// Wire names are fixed by attributes on this type and <see cref="FileChange"/>: the channel's serializer
/// options (not this sample's context options) decide naming when a result crosses the channel.
/// </remarks>
/// <param name="Files">Each file with its action; a second identical apply reports all unchanged.</param>
public sealed record FirstBootApplyResult([property: JsonPropertyName("files")] IReadOnlyList<FileChange> Files)
{
    /// <summary>True when at least one file was created or updated.</summary>
    [JsonPropertyName("changed")]
    public bool Changed => Files.Any(f => f.Action != FileChangeAction.Unchanged);
}
