using System.Collections.Concurrent;
using GuestAgentKit.XenStore.Wire;

namespace GuestAgentKit.XenStore;

/// <summary>One xenstore connection: a reader loop demultiplexing replies by req_id and watch events, and an
/// <see cref="XsOutbox"/> that writes queued requests together (one message per write to a xenbus device).</summary>
internal sealed class XsConnection : IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly Action<XsMessage> _onWatchEvent;
    private readonly ConcurrentDictionary<uint, TaskCompletionSource<XsMessage>> _pending = new();
    private readonly XsOutbox _outbox;
    private readonly TaskCompletionSource<Exception> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _readLoop;
    private XenStoreConnectionClosedException? _closeReason;
    private int _nextRequestId;

    /// <param name="stream">The duplex stream; the connection owns it.</param>
    /// <param name="oneMessagePerWrite">True for a device that parses each write as one whole message.</param>
    /// <param name="onWatchEvent">Called on the reader loop for every watch event.</param>
    public XsConnection(Stream stream, bool oneMessagePerWrite, Action<XsMessage> onWatchEvent)
    {
        _stream = stream;
        _onWatchEvent = onWatchEvent;
        _outbox = new XsOutbox(stream, oneMessagePerWrite, Close);
        _readLoop = Task.Run(ReadLoopAsync);
    }

    /// <summary>Completes with the first reason once the connection is closed.</summary>
    public Task<Exception> Closed => _closed.Task;

    public async Task<XsMessage> RequestAsync(XsMessageType type, uint transactionId, byte[] payload, CancellationToken cancellationToken)
    {
        XsPayload.EnsureFits(payload.Length, type);
        ThrowIfClosed();
        var requestId = (uint)Interlocked.Increment(ref _nextRequestId);
        var reply = new TaskCompletionSource<XsMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[requestId] = reply;
        // Closed between the check and the registration: make sure this request is failed too.
        if (Volatile.Read(ref _closeReason) is not null)
        {
            FailPending();
        }

        try
        {
            _outbox.Enqueue(new XsHeader(type, requestId, transactionId, (uint)payload.Length), payload);
            return await reply.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Cancelled or done: a late reply for this id is dropped by the reader. A cancelled request may
            // still be sent: it was queued at once, and a message is never withdrawn half-way.
            _pending.TryRemove(requestId, out _);
        }
    }

    public void ThrowIfClosed()
    {
        if (Volatile.Read(ref _closeReason) is { } closed)
        {
            throw closed;
        }
    }

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[(XsHeader.Size + GuestAgentKit.Limits.XenStorePayloadMax) * 2];
        var filled = 0;
        try
        {
            while (true)
            {
                var read = await _stream.ReadAsync(buffer.AsMemory(filled)).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new EndOfStreamException("xenstored closed the connection.");
                }

                filled += read;
                var offset = 0;
                while (XsMessageReader.TryRead(buffer.AsSpan(offset, filled - offset), out var message, out var consumed))
                {
                    offset += consumed;
                    Dispatch(message!);
                }

                // Keep the partial message at the start; the buffer holds two maximal messages, so there is room.
                buffer.AsSpan(offset, filled - offset).CopyTo(buffer);
                filled -= offset;
            }
        }
        catch (Exception ex)
        {
            Close(ex);
        }
    }

    private void Dispatch(XsMessage message)
    {
        if (message.Type == XsMessageType.WatchEvent)
        {
            _onWatchEvent(message);
        }
        else if (_pending.TryRemove(message.RequestId, out var reply))
        {
            reply.TrySetResult(message);
        }
    }

    private void Close(Exception reason)
    {
        var closed = reason as XenStoreConnectionClosedException
            ?? new XenStoreConnectionClosedException($"The xenstore connection is closed: {reason.Message}", reason);
        if (Interlocked.CompareExchange(ref _closeReason, closed, null) is not null)
        {
            return;
        }

        FailPending();
        _closed.TrySetResult(closed);
        _stream.Dispose();
    }

    private void FailPending()
    {
        var reason = Volatile.Read(ref _closeReason)!;
        foreach (var id in _pending.Keys)
        {
            if (_pending.TryRemove(id, out var reply))
            {
                reply.TrySetException(reason);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Close(new XenStoreConnectionClosedException("The xenstore client was disposed."));
        await _readLoop.ConfigureAwait(false);
    }
}
