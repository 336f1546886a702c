using System.Threading.Channels;

namespace GuestAgentKit.XenStore;

/// <summary>Enumerates a watch's events. Unlike a compiler-generated async iterator it may be disposed while a
/// <see cref="MoveNextAsync"/> is still pending (e.g. after a timeout), which watch consumers do.</summary>
internal sealed class XsWatchEnumerator(ChannelReader<XsWatchEvent> reader, CancellationToken cancellationToken) : IAsyncEnumerator<XsWatchEvent>
{
    private XsWatchEvent? _current;

    public XsWatchEvent Current => _current ?? throw new InvalidOperationException("MoveNextAsync has not returned true.");

    public async ValueTask<bool> MoveNextAsync()
    {
        while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (reader.TryRead(out var next))
            {
                _current = next;
                return true;
            }
        }

        return false;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
