namespace GuestAgentKit.XenStore;

/// <summary>A watch fired: something at or below <paramref name="Path"/> may have changed (events can be spurious).</summary>
/// <param name="Path">The path that changed (relative when the watch was registered relative).</param>
/// <param name="Token">The watch's token.</param>
public sealed record XsWatchEvent(string Path, string Token);
