namespace GuestAgentKit.Samples.Clipboard.Guest;

/// <summary>A clipboard operation failed; the message is safe to send to dom0.</summary>
public class ClipboardException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ClipboardException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
