namespace GuestAgentKit.Tests.Protocol;

/// <summary>
/// Passes everything to the inner stream, but the next <see cref="FailNextWrites"/> writes throw a
/// non-I/O exception: a fault the peer cannot cause, to drive the agent's session-reset path.
/// </summary>
internal sealed class WriteFaultingStream(Stream inner) : Stream
{
    private int _failures;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Makes the next <paramref name="count"/> writes throw <see cref="InvalidOperationException"/>.</summary>
    public void FailNextWrites(int count) => Volatile.Write(ref _failures, count);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        inner.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        TakeFailure()
            ? ValueTask.FromException(new InvalidOperationException("injected write fault"))
            : inner.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override void Flush() => inner.Flush();

    private bool TakeFailure()
    {
        int left;
        do
        {
            left = Volatile.Read(ref _failures);
            if (left <= 0)
            {
                return false;
            }
        }
        while (Interlocked.CompareExchange(ref _failures, left - 1, left) != left);
        return true;
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("async only");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("async only");

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
