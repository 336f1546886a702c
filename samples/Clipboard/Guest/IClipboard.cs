namespace GuestAgentKit.Samples.Clipboard.Guest;

/// <summary>
/// The guest desktop's clipboard, as text. Every text is bounded by <see cref="ClipboardLimits.MaxTextBytes"/>.
/// </summary>
public interface IClipboard
{
    /// <summary>Which backend this is: <c>wayland</c>, <c>x11</c> or <c>memory</c>.</summary>
    string Backend { get; }

    /// <summary>Reads the clipboard text.</summary>
    /// <exception cref="ClipboardTooLargeException">The clipboard holds more than the limit.</exception>
    /// <exception cref="ClipboardException">The backend could not read it (no display, no text, tool failed).</exception>
    Task<string> GetTextAsync(CancellationToken cancellationToken = default);

    /// <summary>Replaces the clipboard text.</summary>
    /// <exception cref="ClipboardTooLargeException">The text is over the limit; the clipboard is unchanged.</exception>
    /// <exception cref="ClipboardException">The backend could not set it.</exception>
    Task SetTextAsync(string text, CancellationToken cancellationToken = default);

    /// <summary>
    /// The current text (when readable), then the text after every change, whoever made it, including
    /// <see cref="SetTextAsync"/> (a plugin that forwards changes to dom0 suppresses the echo of what dom0
    /// just set). Changes faster than the consumer are coalesced to the latest. Ends by cancellation.
    /// </summary>
    IAsyncEnumerable<string> WatchAsync(CancellationToken cancellationToken = default);
}
