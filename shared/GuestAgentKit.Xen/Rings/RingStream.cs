using System.Runtime.CompilerServices;

namespace GuestAgentKit.Xen.Rings;

/// <summary>
/// A duplex byte stream over one end of a two-ring page and its event channel (e.g. a xenstore ring
/// connection, from either end). Reads wait on the event channel while the ring is empty; writes copy
/// what fits, notify and wait for room. Every consume or produce notifies the peer, as the C drivers do.
/// Shortly after moving bytes, a read or write that finds the ring empty or full first spins briefly on
/// the peer's index (<see cref="RingSpin"/>) before it blocks.
/// A broken ring fails reads and writes with an <see cref="IOException"/> naming the indices. The
/// stream does not own the page mapping or the channel: dispose them after the stream.
/// One reader and one writer may run concurrently.
/// </summary>
public sealed class RingStream : Stream
{
    private readonly DuplexRing _ring;
    private readonly Platform.IEventChannel _channel;
    private readonly EventPulse _pulse = new();
    private readonly RingSpin _readSpin = new();
    private readonly RingSpin _writeSpin = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _pump;
    private volatile bool _disposed;

    /// <summary>Creates the stream and starts waiting on <paramref name="channel"/>.</summary>
    /// <param name="ring">Our end of the page (e.g. <see cref="XenStoreRing.Client"/>).</param>
    /// <param name="channel">The bound event channel of the page; this stream becomes its only waiter.</param>
    public RingStream(DuplexRing ring, Platform.IEventChannel channel)
    {
        ArgumentNullException.ThrowIfNull(ring);
        ArgumentNullException.ThrowIfNull(channel);
        _ring = ring;
        _channel = channel;
        _pump = PumpAsync();
    }

    /// <inheritdoc />
    public override bool CanRead => !_disposed;

    /// <inheritdoc />
    public override bool CanWrite => !_disposed;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <inheritdoc />
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        while (true)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var next = _pulse.Next;
            if (_ring.Reader.Read(buffer.Span, out var read) != RingStatus.Ok)
            {
                throw Broken();
            }

            if (read > 0)
            {
                _readSpin.Moved();
                _channel.Notify();
                return read;
            }

            if (_readSpin.ShouldSpin())
            {
                await LeavePulseAsync();
                if (_readSpin.Spin(static s => s._disposed || s.HasReadable(), this))
                {
                    continue;
                }
            }

            _pulse.Want();
            await next.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (!buffer.IsEmpty)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var next = _pulse.Next;
            if (_ring.Writer.Write(buffer.Span, out var written) != RingStatus.Ok)
            {
                throw Broken();
            }

            if (written > 0)
            {
                _writeSpin.Moved();
                _channel.Notify();
                buffer = buffer[written..];
                continue;
            }

            if (_writeSpin.ShouldSpin())
            {
                await LeavePulseAsync();
                if (_writeSpin.Spin(static s => s._disposed || s.HasRoom(), this))
                {
                    continue;
                }
            }

            _pulse.Want();
            await next.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Not supported: a ring wait is asynchronous. Use <see cref="ReadAsync(Memory{byte}, CancellationToken)"/>.</summary>
    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => throw SyncNotSupported();

    /// <summary>Not supported: a ring wait is asynchronous. Use <see cref="WriteAsync(ReadOnlyMemory{byte}, CancellationToken)"/>.</summary>
    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => throw SyncNotSupported();

    /// <summary>Does nothing: every write is published to the ring before it completes.</summary>
    public override void Flush()
    {
    }

    /// <inheritdoc />
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        Dispose(true);
        await _pump.ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            _stop.Cancel();
            _pulse.Want(); // the pump may be waiting for a waiter rather than on the channel: let it see the stop
            _stop.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>
    /// A waiter woken by the pump runs on the pump's thread, inside <see cref="EventPulse.Pulse"/>: spinning there
    /// would hold up the other waiter (a writer blocked on a full ring behind a reader that keeps finding
    /// bytes would never be woken). Hop to the thread pool first; only on the way to a spin.
    /// </summary>
    private static ConfiguredTaskAwaitable LeavePulseAsync() =>
        Task.CompletedTask.ConfigureAwait(EventPulse.IsPulsing ? ConfigureAwaitOptions.ForceYielding : ConfigureAwaitOptions.None);

    private bool HasReadable() => _ring.Reader.GetReadable(out var readable) != RingStatus.Ok || !readable.IsEmpty;

    private bool HasRoom() => _ring.Writer.GetWritable(out var writable) != RingStatus.Ok || !writable.IsEmpty;

    private static NotSupportedException SyncNotSupported() =>
        new("RingStream is asynchronous only: use ReadAsync/WriteAsync");

    private IOException Broken() =>
        new($"{_ring.BrokenReason ?? "broken ring"} (event channel port {_channel.LocalPort})");

    private async Task PumpAsync()
    {
        try
        {
            var token = _stop.Token;
            var wanted = _pulse.Wanted;
            while (true)
            {
                // Armed only for a waiter about to block (EventPulse): while the waiters spin or work, the peer's
                // notifications stay pending in the channel instead of waking the poller and this pump.
                await wanted.ConfigureAwait(false);
                token.ThrowIfCancellationRequested();
                wanted = _pulse.RenewWanted();
                await _channel.WaitAsync(token).ConfigureAwait(false);
                _pulse.Pulse();
            }
        }
        catch (OperationCanceledException) when (_disposed)
        {
            _pulse.Fail(new ObjectDisposedException(nameof(RingStream)));
        }
        catch (Exception error)
        {
            // Unbound under us, or the wait itself failed: every pending and later read/write fails with it.
            _pulse.Fail(new IOException($"event channel port {_channel.LocalPort} failed: {error.Message}", error));
        }
    }
}
