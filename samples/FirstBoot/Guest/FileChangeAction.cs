using System.Text.Json.Serialization;

namespace GuestAgentKit.Samples.FirstBoot.Guest;

/// <summary>What applying did to one file (on the wire: <c>"created"</c>, <c>"updated"</c>, <c>"unchanged"</c>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<FileChangeAction>))]
public enum FileChangeAction
{
    /// <summary>Content, mode and owner were already as desired; not touched.</summary>
    [JsonStringEnumMemberName("unchanged")]
    Unchanged = 0,

    /// <summary>The file did not exist and was created.</summary>
    [JsonStringEnumMemberName("created")]
    Created = 1,

    /// <summary>The file existed and was replaced.</summary>
    [JsonStringEnumMemberName("updated")]
    Updated = 2,
}
