namespace GuestAgentKit.Samples.Clipboard.Guest;

/// <summary>
/// The bounds of the clipboard sample. They live here rather than in <c>GuestAgentKit.Limits</c>
/// because a sample shows what a plugin author writes against the public API.
/// </summary>
public static class ClipboardLimits
{
    /// <summary>Clipboard text, in UTF-8 bytes, both directions: 1 MiB. Larger text is refused, not truncated.</summary>
    public const int MaxTextBytes = 1024 * 1024;

    /// <summary>How often process backends read the clipboard to detect changes (see <see cref="ProcessClipboard"/>).</summary>
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>How long one wl-paste/wl-copy/xclip run may take before it is killed.</summary>
    public static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Tool error output kept for an error message.</summary>
    public const int MaxToolErrorBytes = 4 * 1024;
}
