using System.Text.Json.Serialization;

namespace GuestAgentKit.Samples.FirstBoot.Guest;

/// <summary>One managed file and what happened to it.</summary>
/// <param name="Path">The path inside the guest root, e.g. <c>/etc/hostname</c>.</param>
/// <param name="Action">Created, updated or unchanged.</param>
public sealed record FileChange(
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("action")] FileChangeAction Action);
