using System.Runtime.CompilerServices;

namespace GuestAgentKit.Samples.Clipboard.Guest;

/// <summary>
/// A clipboard reached through command-line tools: one tool run per read, one per write.
/// </summary>
/// <remarks>
/// Change detection POLLS: the tools offer no portable change event (X11 needs the XFixes selection
/// events of a client that stays connected; <c>wl-paste --watch</c> only exists on compositors with the
/// wlr/ext data-control protocol, and GNOME's has none). Every <see cref="ClipboardLimits.DefaultPollInterval"/>
/// (500 ms) the text is read and compared with the last one seen: a change reaches dom0 within about half a
/// second, at the cost of two short process runs a second while someone watches, and none when nobody does.
/// A read that fails (empty clipboard, non-text content, over the limit) is not a change.
/// </remarks>
public abstract class ProcessClipboard : IClipboard
{
    private readonly ClipboardTool _read;
    private readonly ClipboardTool _write;
    private readonly TimeSpan _pollInterval;
    private readonly TimeProvider _timeProvider;

    private protected ProcessClipboard(ClipboardTool read, ClipboardTool write, TimeSpan? pollInterval, TimeProvider? timeProvider)
    {
        _read = read;
        _write = write;
        _pollInterval = pollInterval ?? ClipboardLimits.DefaultPollInterval;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public abstract string Backend { get; }

    /// <summary>The executable that reads the clipboard (for logs).</summary>
    public string ReadExecutable => _read.Executable;

    /// <summary>The executable that writes the clipboard (for logs).</summary>
    public string WriteExecutable => _write.Executable;

    /// <inheritdoc />
    public async Task<string> GetTextAsync(CancellationToken cancellationToken = default)
    {
        var bytes = await _read.ReadAsync(cancellationToken).ConfigureAwait(false);
        return ClipboardText.Decode(bytes, Path.GetFileName(_read.Executable));
    }

    /// <inheritdoc />
    public Task SetTextAsync(string text, CancellationToken cancellationToken = default) =>
        _write.WriteAsync(ClipboardText.Encode(text), cancellationToken);

    /// <inheritdoc />
    public async IAsyncEnumerable<string> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var last = await TryGetAsync(cancellationToken).ConfigureAwait(false);
        if (last is not null)
        {
            yield return last;
        }

        using var timer = new PeriodicTimer(_pollInterval, _timeProvider);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            var now = await TryGetAsync(cancellationToken).ConfigureAwait(false);
            if (now is not null && !string.Equals(now, last, StringComparison.Ordinal))
            {
                last = now;
                yield return now;
            }
        }
    }

    private async Task<string?> TryGetAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await GetTextAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ClipboardException)
        {
            return null;
        }
    }
}
