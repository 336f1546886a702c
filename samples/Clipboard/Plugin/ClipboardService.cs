using GuestAgentKit.Protocol;
using GuestAgentKit.Samples.Clipboard.Guest;
using StreamJsonRpc;

namespace GuestAgentKit.Samples.Clipboard.Plugin;

/// <summary>
/// The guest side of <c>clipboard.*</c> over an <see cref="IClipboard"/> backend, and the forwarder of guest
/// changes to dom0. Echo suppression: a change is forwarded only when its text differs from the last text dom0
/// already knows (the one it set, or the one last forwarded), so dom0's own <c>clipboard.set</c> never comes back.
/// </summary>
/// <param name="clipboard">The backend (Wayland, X11 or in-memory).</param>
public sealed class ClipboardService(IClipboard clipboard) : IClipboardService
{
    private readonly Lock _gate = new();
    private string? _knownToDom0;

    /// <inheritdoc />
    public async Task<string> GetAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await clipboard.GetTextAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ClipboardException e)
        {
            throw ToRpcError(e);
        }
    }

    /// <inheritdoc />
    public async Task SetAsync(string text, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(text);
        lock (_gate)
        {
            _knownToDom0 = text;
        }

        try
        {
            await clipboard.SetTextAsync(text, cancellationToken).ConfigureAwait(false);
        }
        catch (ClipboardException e)
        {
            throw ToRpcError(e);
        }
    }

    /// <summary>
    /// Watches the clipboard and calls <paramref name="sendChanged"/> (e.g. <see cref="AgentEndpoint.NotifyAsync"/>
    /// with <c>clipboard.changed</c>) for every change dom0 does not know of yet; the text present when watching
    /// starts is the baseline, not a change. A text too large for one channel line is skipped.
    /// </summary>
    /// <param name="sendChanged">Sends the notification; returns false when no session took it.</param>
    /// <param name="cancellationToken">Stops forwarding.</param>
    /// <returns>A task that ends by cancellation.</returns>
    public async Task ForwardChangesAsync(Func<string, CancellationToken, Task<bool>> sendChanged, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sendChanged);
        var baseline = true;
        await foreach (var text in clipboard.WatchAsync(cancellationToken).ConfigureAwait(false))
        {
            bool send;
            lock (_gate)
            {
                send = !baseline && !string.Equals(text, _knownToDom0, StringComparison.Ordinal);
                if (baseline)
                {
                    _knownToDom0 ??= text;
                }
                else if (send)
                {
                    _knownToDom0 = text;
                }

                baseline = false;
            }

            if (send)
            {
                try
                {
                    await sendChanged(text, cancellationToken).ConfigureAwait(false);
                }
                catch (LineTooLongException)
                {
                    // Near the 1 MiB text limit the JSON line exceeds the channel's line cap: dom0 can still clipboard.get it.
                }
            }
        }
    }

    private static LocalRpcException ToRpcError(ClipboardException e) =>
        new(e.Message) { ErrorCode = e is ClipboardTooLargeException ? ClipboardErrorCodes.TooLarge : ClipboardErrorCodes.Unavailable };
}
