using System.Threading.Channels;
using GuestAgentKit.XenStore.Wire;

namespace GuestAgentKit.XenStore;

/// <summary>A registered watch: enumerate it for events; dispose it to UNWATCH. The first event arrives at
/// once (xenstored fires every new watch). Events are buffered up to a bound, oldest dropped first: watch
/// events only say "look again", so the newest are the ones that matter.</summary>
public sealed class XsWatch : IAsyncEnumerable<XsWatchEvent>, IAsyncDisposable
{
    private readonly XenStoreClient _client;
    private readonly Channel<XsWatchEvent> _events = Channel.CreateBounded<XsWatchEvent>(
        new BoundedChannelOptions(WatchEventQueue) { FullMode = BoundedChannelFullMode.DropOldest, SingleWriter = true });

    private int _disposed;

    /// <summary>Events buffered per watch before the oldest are dropped.</summary>
    internal const int WatchEventQueue = 1024;

    internal XsWatch(XenStoreClient client, string path, string token)
    {
        _client = client;
        Path = path;
        Token = token;
    }

    /// <summary>The watched path as registered.</summary>
    public string Path { get; }

    /// <summary>The watch's token.</summary>
    public string Token { get; }

    /// <inheritdoc />
    public IAsyncEnumerator<XsWatchEvent> GetAsyncEnumerator(CancellationToken cancellationToken = default) =>
        new XsWatchEnumerator(_events.Reader, cancellationToken);

    /// <summary>Unregisters the watch (UNWATCH) and ends the enumeration.</summary>
    /// <returns>A task completing when unwatched.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _client.ForgetWatch(this);
        _events.Writer.TryComplete();
        await _client.SendCleanupAsync(XsMessageType.Unwatch, 0, XsPayload.Strings(Path, Token)).ConfigureAwait(false);
    }

    internal void Post(XsWatchEvent watchEvent) => _events.Writer.TryWrite(watchEvent);

    internal void End(Exception? reason) => _events.Writer.TryComplete(reason);
}
