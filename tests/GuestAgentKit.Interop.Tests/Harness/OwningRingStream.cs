using GuestAgentKit.Xen.Platform;
using GuestAgentKit.Xen.Rings;

namespace GuestAgentKit.Interop.Tests.Harness;

/// <summary>
/// A <see cref="RingStream"/> that also owns its page mapping and event channel. <see cref="RingStream"/>
/// deliberately owns neither; a xenstore connection handed to a server or a client (which dispose the
/// stream when the connection ends) needs one object that releases all three, stream first.
/// </summary>
internal sealed class OwningRingStream(RingStream ring, IEventChannel channel, IGrantMapping mapping) : Stream
{
    private int _disposed;

    public override bool CanRead => ring.CanRead;

    public override bool CanWrite => ring.CanWrite;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Opens one end of a xenstore or console page as a stream that owns the mapping and channel.</summary>
    public static OwningRingStream Open(DuplexRing ends, IEventChannel channel, IGrantMapping mapping) =>
        new(new RingStream(ends, channel), channel, mapping);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ring.ReadAsync(buffer, cancellationToken);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        ring.WriteAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ring.ReadAsync(buffer, offset, count, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ring.WriteAsync(buffer, offset, count, cancellationToken);

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("asynchronous only");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("asynchronous only");

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await ring.DisposeAsync();
            channel.Dispose();
            mapping.Dispose();
        }

        await base.DisposeAsync();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            ring.Dispose();
            channel.Dispose();
            mapping.Dispose();
        }

        base.Dispose(disposing);
    }
}
