namespace GuestAgentKit.Samples.Clipboard.Plugin;

/// <summary>JSON-RPC error codes of the clipboard methods (documented in the sample's README).</summary>
public static class ClipboardErrorCodes
{
    /// <summary>The text is over <see cref="Guest.ClipboardLimits.MaxTextBytes"/>; nothing was set or returned.</summary>
    public const int TooLarge = -32020;

    /// <summary>The guest's clipboard could not be read or written (no display, no text, the tool failed).</summary>
    public const int Unavailable = -32021;
}
