namespace GuestAgentKit.Protocol;

/// <summary>
/// Serializes writes to a channel stream: each call writes its bytes and flushes before the next
/// starts, so a handshake line and a JSON-RPC line never interleave.
/// </summary>
internal sealed class ChannelLineWriter : IDisposable
{
    private readonly Stream _stream;
    private readonly SemaphoreSlim _lock = new(1, 1);

    public ChannelLineWriter(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
    }

    /// <summary>Writes <paramref name="bytes"/> unless <paramref name="stillWanted"/> says the session ended meanwhile.</summary>
    /// <returns>False when the write was dropped.</returns>
    public async ValueTask<bool> WriteAsync(ReadOnlyMemory<byte> bytes, Func<bool>? stillWanted, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (stillWanted is not null && !stillWanted())
            {
                return false;
            }

            await _stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
            await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Runs <paramref name="action"/> while no write is in progress (used to close a session's write side).</summary>
    public async ValueTask RunExclusiveAsync(Action action, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            action();
        }
        finally
        {
            _lock.Release();
        }
    }

    public void Dispose() => _lock.Dispose();
}
