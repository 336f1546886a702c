using GuestAgentKit.XenStore.Wire;

namespace GuestAgentKit.XenStore;

/// <summary>The send side of one xenstore connection. A request is encoded straight into a shared buffer and
/// never waits for the stream; one drain at a time writes everything queued so far, so that many requests in
/// flight cost a few writes instead of one each (with 64 in flight, one write per request was most of the
/// client's CPU). A stream that takes one message per write (the xenbus device) gets one write per message.</summary>
internal sealed class XsOutbox : IThreadPoolWorkItem
{
    // One maximal message; the buffers grow while requests queue up faster than they are written.
    private const int InitialCapacity = XsHeader.Size + Limits.XenStorePayloadMax;

    // What a drain keeps between batches; a burst that queued more is not held on to afterwards.
    private const int RetainedCapacity = 64 * 1024;

    private readonly Stream _stream;
    private readonly bool _oneMessagePerWrite;
    private readonly Action<Exception> _onFailure;
    private readonly Lock _gate = new();
    private byte[] _queued = new byte[InitialCapacity];
    private int _queuedLength;
    private byte[]? _spare;
    private bool _draining;
    private bool _failed;

    /// <param name="stream">Where the messages go.</param>
    /// <param name="oneMessagePerWrite">True for a device that parses each write as one whole message.</param>
    /// <param name="onFailure">Called once when a write fails; nothing is sent after it.</param>
    public XsOutbox(Stream stream, bool oneMessagePerWrite, Action<Exception> onFailure)
    {
        _stream = stream;
        _oneMessagePerWrite = oneMessagePerWrite;
        _onFailure = onFailure;
    }

    /// <summary>Queues one message; a drain writes it soon. Dropped silently once a write has failed: the
    /// connection is closing and fails its pending requests.</summary>
    /// <param name="header">The header, its length that of <paramref name="payload"/>.</param>
    /// <param name="payload">At most <see cref="Limits.XenStorePayloadMax"/> bytes (checked by the caller).</param>
    public void Enqueue(XsHeader header, ReadOnlySpan<byte> payload)
    {
        lock (_gate)
        {
            if (_failed)
            {
                return;
            }

            var size = XsHeader.Size + payload.Length;
            if (_queued.Length - _queuedLength < size)
            {
                Array.Resize(ref _queued, Math.Max(_queued.Length * 2, _queuedLength + size));
            }

            header.Write(_queued.AsSpan(_queuedLength));
            payload.CopyTo(_queued.AsSpan(_queuedLength + XsHeader.Size));
            _queuedLength += size;
            if (_draining)
            {
                return;
            }

            _draining = true;
        }

        // Not inline: the drain runs after the work already queued (typically the continuations of replies that
        // arrived together, each queueing its next request), so one write carries them all.
        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    void IThreadPoolWorkItem.Execute() => _ = DrainAsync();

    private async Task DrainAsync()
    {
        try
        {
            while (TakeBatch() is { } batch)
            {
                await WriteAsync(batch).ConfigureAwait(false);
                // Only the drain touches the spare buffer, and only one drain runs at a time.
                var used = batch.Array!;
                _spare = used.Length > RetainedCapacity ? null : used;
            }
        }
        catch (Exception ex)
        {
            lock (_gate)
            {
                _failed = true;
                _queuedLength = 0;
            }

            _onFailure(ex);
        }
    }

    /// <summary>Swaps the queued bytes out for the drain, or ends the drain when nothing is queued.</summary>
    private ArraySegment<byte>? TakeBatch()
    {
        lock (_gate)
        {
            if (_queuedLength == 0)
            {
                _draining = false;
                return null;
            }

            var batch = new ArraySegment<byte>(_queued, 0, _queuedLength);
            _queued = _spare ?? new byte[InitialCapacity];
            _spare = null;
            _queuedLength = 0;
            return batch;
        }
    }

    private async Task WriteAsync(ArraySegment<byte> batch)
    {
        // Never cancelled: a torn message would desynchronize the stream for every request.
        if (!_oneMessagePerWrite)
        {
            await _stream.WriteAsync(batch.AsMemory(), CancellationToken.None).ConfigureAwait(false);
        }
        else
        {
            // The batch holds whole messages this outbox encoded, so each header's length is trusted.
            for (var offset = 0; offset < batch.Count;)
            {
                var size = XsHeader.Size + (int)XsHeader.Read(batch.AsSpan(offset)).Length;
                await _stream.WriteAsync(batch.AsMemory(offset, size), CancellationToken.None).ConfigureAwait(false);
                offset += size;
            }
        }

        await _stream.FlushAsync(CancellationToken.None).ConfigureAwait(false);
    }
}
