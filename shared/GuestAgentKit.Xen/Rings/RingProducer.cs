namespace GuestAgentKit.Xen.Rings;

/// <summary>
/// The write side of one ring of a shared page. Exposes free space in place (zero-copy) and
/// publishes the producer index only after the bytes are written. One writer at a time; not
/// thread-safe.
/// </summary>
public sealed class RingProducer
{
    private readonly SharedPage _page;
    private uint _producer;
    private int _writable;

    /// <summary>Creates the write view of <paramref name="layout"/> in <paramref name="page"/>.</summary>
    /// <param name="page">The shared page.</param>
    /// <param name="layout">Which ring of the page.</param>
    public RingProducer(SharedPage page, RingLayout layout)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(layout);
        _page = page;
        Layout = layout;
    }

    /// <summary>The ring this view writes.</summary>
    public RingLayout Layout { get; }

    /// <summary>Why the ring is broken (names the indices the peer published), or null while it is sound.</summary>
    public string? BrokenReason { get; private set; }

    /// <summary>
    /// Snapshots the indices once and exposes the free space in place. Fill a prefix of it, then call
    /// <see cref="Commit"/> with the number of bytes written.
    /// </summary>
    /// <param name="segments">The writable space (empty when the ring is full or broken).</param>
    /// <returns><see cref="RingStatus.Broken"/> when the peer's indices are invalid.</returns>
    public RingStatus GetWritable(out RingSegments segments)
    {
        segments = default;
        _writable = 0;
        if (BrokenReason is not null)
        {
            return RingStatus.Broken;
        }

        var indices = RingIndices.Snapshot(_page, Layout);
        if (!indices.IsValidFor(Layout))
        {
            BrokenReason = indices.Describe(Layout);
            return RingStatus.Broken;
        }

        // C writers: mb() after reading the consumer index, so our data writes cannot overtake it.
        Interlocked.MemoryBarrier();
        _producer = indices.Producer;
        _writable = Layout.Size - indices.Used;
        segments = RingSegments.At(_page, Layout, _producer, _writable);
        return RingStatus.Ok;
    }

    /// <summary>
    /// Publishes <paramref name="count"/> bytes written into the space of the last <see cref="GetWritable"/>.
    /// Notify the peer afterwards.
    /// </summary>
    /// <param name="count">Bytes written, at most the space last exposed.</param>
    public void Commit(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _writable);
        if (count == 0)
        {
            return;
        }

        _producer += (uint)count;
        _writable -= count;

        // Release write (the C wmb()): the data is visible before the index that covers it.
        _page.WriteUInt32Volatile(Layout.ProducerIndexOffset, _producer);
    }

    /// <summary>Copies as much of <paramref name="source"/> as fits into the ring and commits it.</summary>
    /// <param name="source">Bytes to write.</param>
    /// <param name="bytesWritten">Bytes copied (0 when full or broken).</param>
    /// <returns><see cref="RingStatus.Broken"/> when the peer's indices are invalid.</returns>
    public RingStatus Write(ReadOnlySpan<byte> source, out int bytesWritten)
    {
        bytesWritten = 0;
        if (GetWritable(out var segments) != RingStatus.Ok)
        {
            return RingStatus.Broken;
        }

        var first = segments.First.Span;
        var toFirst = Math.Min(first.Length, source.Length);
        source[..toFirst].CopyTo(first);
        var second = segments.Second.Span;
        var toSecond = Math.Min(second.Length, source.Length - toFirst);
        source.Slice(toFirst, toSecond).CopyTo(second);
        bytesWritten = toFirst + toSecond;
        Commit(bytesWritten);
        return RingStatus.Ok;
    }
}
