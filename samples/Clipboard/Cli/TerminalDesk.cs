using GuestAgentKit.Samples.Clipboard.Guest;

namespace GuestAgentKit.Samples.Clipboard.Cli;

/// <summary>
/// A terminal standing in for the guest desktop (<c>Clipboard agent --stdio</c>, for headless guests and the loopback):
/// each line read is copied to the clipboard as a guest application would copy it, and every change, whoever made it,
/// is printed as <c>clipboard: TEXT</c>.
/// </summary>
internal static class TerminalDesk
{
    /// <summary>What each change is printed after.</summary>
    public const string ChangePrefix = "clipboard: ";

    /// <summary>Copies every line of <paramref name="input"/> to <paramref name="clipboard"/> until end of input.</summary>
    public static async Task CopyLinesAsync(IClipboard clipboard, TextReader input, CancellationToken cancellationToken)
    {
        // Console.In's async reads block the caller; a pool thread waits for each line instead, and cancellation
        // abandons that wait (the process is ending).
        while (await Task.Run(input.ReadLine, cancellationToken).WaitAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            try
            {
                await clipboard.SetTextAsync(line, cancellationToken).ConfigureAwait(false);
            }
            catch (ClipboardException e)
            {
                await Console.Error.WriteLineAsync($"not copied: {e.Message}").ConfigureAwait(false);
            }
        }
    }

    /// <summary>Prints each change after the text present at the start.</summary>
    public static async Task PrintChangesAsync(IClipboard clipboard, TextWriter output, CancellationToken cancellationToken)
    {
        var baseline = true;
        await foreach (var text in clipboard.WatchAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!baseline)
            {
                await output.WriteLineAsync(ChangePrefix + text).ConfigureAwait(false);
                await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            baseline = false;
        }
    }
}
