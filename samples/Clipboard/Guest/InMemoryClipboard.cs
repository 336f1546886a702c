using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace GuestAgentKit.Samples.Clipboard.Guest;

/// <summary>
/// A clipboard that lives in this process: the fallback when no desktop is reachable (a headless
/// guest still lets dom0 park text in it), and the test double of a guest desktop.
/// </summary>
public sealed class InMemoryClipboard : IClipboard
{
    private readonly Lock _gate = new();
    private readonly List<Channel<string>> _watchers = [];
    private string _text = "";

    /// <inheritdoc />
    public string Backend => "memory";

    /// <inheritdoc />
    public Task<string> GetTextAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult(_text);
        }
    }

    /// <inheritdoc />
    public Task SetTextAsync(string text, CancellationToken cancellationToken = default)
    {
        ClipboardText.Encode(text);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (string.Equals(_text, text, StringComparison.Ordinal))
            {
                return Task.CompletedTask;
            }

            _text = text;
            foreach (var watcher in _watchers)
            {
                watcher.Writer.TryWrite(text);
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<string> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // Capacity 1, drop oldest: a slow consumer holds at most one pending text, the latest.
        var channel = Channel.CreateBounded<string>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest });
        lock (_gate)
        {
            channel.Writer.TryWrite(_text);
            _watchers.Add(channel);
        }

        try
        {
            await foreach (var text in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return text;
            }
        }
        finally
        {
            lock (_gate)
            {
                _watchers.Remove(channel);
            }
        }
    }
}
