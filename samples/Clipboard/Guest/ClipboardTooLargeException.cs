namespace GuestAgentKit.Samples.Clipboard.Guest;

/// <summary>Clipboard text exceeds <see cref="ClipboardLimits.MaxTextBytes"/>; nothing was set or returned.</summary>
public sealed class ClipboardTooLargeException : ClipboardException
{
    /// <summary>Creates the exception; <paramref name="observedBytes"/> may be a lower bound ("at least").</summary>
    public ClipboardTooLargeException(long observedBytes, bool atLeast = false)
        : base($"clipboard text is {(atLeast ? "at least " : "")}{observedBytes} bytes of UTF-8, more than the limit of {ClipboardLimits.MaxTextBytes} bytes (ClipboardLimits.MaxTextBytes)")
    {
        ObservedBytes = observedBytes;
    }

    /// <summary>The limit that was exceeded.</summary>
    public int Limit => ClipboardLimits.MaxTextBytes;

    /// <summary>The size seen (a lower bound when reading was stopped at the limit).</summary>
    public long ObservedBytes { get; }
}
