namespace GuestAgentKit.Samples.Clipboard.Guest;

/// <summary>
/// The clipboard channel's name and JSON-RPC method names. The name is the one the Xen wiki's
/// "Clipboard sharing protocol" draft assigns; we speak our own JSON-RPC on it (see README).
/// </summary>
public static class ClipboardChannel
{
    /// <summary>The xenstore <c>name</c> of the channel.</summary>
    public const string Name = "org.xenproject.guest.clipboard.0.1";

    /// <summary>dom0 -> guest request: returns the clipboard text.</summary>
    public const string GetMethod = "clipboard.get";

    /// <summary>dom0 -> guest request: sets the clipboard text.</summary>
    public const string SetMethod = "clipboard.set";

    /// <summary>guest -> dom0 notification: the clipboard text changed (carries the new text).</summary>
    public const string ChangedNotification = "clipboard.changed";
}
