namespace GuestAgentKit.Samples.Clipboard.Guest;

/// <summary>
/// The X11 CLIPBOARD selection (what Ctrl+C/Ctrl+V use, not the middle-click PRIMARY) through xclip:
/// <c>xclip -selection clipboard -t UTF8_STRING -o</c> / <c>-i</c>. The explicit UTF8_STRING target keeps
/// non-ASCII text intact with xclip versions whose default target is Latin-1 STRING.
/// </summary>
public sealed class X11Clipboard : ProcessClipboard
{
    /// <summary>Creates the backend from the absolute xclip path and the session's environment.</summary>
    /// <param name="xclip">Absolute path of xclip.</param>
    /// <param name="environment">DISPLAY (and XAUTHORITY when set) for xclip.</param>
    /// <param name="pollInterval">Change polling interval; default <see cref="ClipboardLimits.DefaultPollInterval"/>.</param>
    /// <param name="timeProvider">Clock for polling.</param>
    public X11Clipboard(string xclip, IReadOnlyDictionary<string, string> environment, TimeSpan? pollInterval = null, TimeProvider? timeProvider = null)
        : base(
            new ClipboardTool(xclip, ["-selection", "clipboard", "-t", "UTF8_STRING", "-o"], environment),
            new ClipboardTool(xclip, ["-selection", "clipboard", "-t", "UTF8_STRING", "-i"], environment),
            pollInterval,
            timeProvider)
    {
    }

    /// <inheritdoc />
    public override string Backend => "x11";
}
