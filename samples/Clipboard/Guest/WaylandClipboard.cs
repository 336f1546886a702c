namespace GuestAgentKit.Samples.Clipboard.Guest;

/// <summary>
/// The Wayland clipboard through wl-clipboard: <c>wl-paste --no-newline</c> (without the flag wl-paste
/// appends a newline the text did not have) and <c>wl-copy</c> reading standard input.
/// </summary>
public sealed class WaylandClipboard : ProcessClipboard
{
    /// <summary>Creates the backend from absolute tool paths and the session's environment.</summary>
    /// <param name="wlPaste">Absolute path of wl-paste.</param>
    /// <param name="wlCopy">Absolute path of wl-copy.</param>
    /// <param name="environment">WAYLAND_DISPLAY and XDG_RUNTIME_DIR for the tools.</param>
    /// <param name="pollInterval">Change polling interval; default <see cref="ClipboardLimits.DefaultPollInterval"/>.</param>
    /// <param name="timeProvider">Clock for polling.</param>
    public WaylandClipboard(string wlPaste, string wlCopy, IReadOnlyDictionary<string, string> environment, TimeSpan? pollInterval = null, TimeProvider? timeProvider = null)
        : base(
            new ClipboardTool(wlPaste, ["--no-newline"], environment),
            new ClipboardTool(wlCopy, [], environment),
            pollInterval,
            timeProvider)
    {
    }

    /// <inheritdoc />
    public override string Backend => "wayland";
}
