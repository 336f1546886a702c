namespace GuestAgentKit.Xen.Rings;

/// <summary>
/// The read side of one ring of a shared page. Exposes readable bytes in place (zero-copy) and
/// publishes the consumer index only when told the bytes were taken, so nothing is lost if the
/// taker fails. One reader at a time; not thread-safe.
/// </summary>
public sealed class RingConsumer
{
    private readonly SharedPage _page;
    private uint _consumer;
    private int _readable;

    /// <summary>Creates the read view of <paramref name="layout"/> in <paramref name="page"/>.</summary>
    /// <param name="page">The shared page.</param>
    /// <param name="layout">Which ring of the page.</param>
    public RingConsumer(SharedPage page, RingLayout layout)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(layout);
        _page = page;
        Layout = layout;
    }

    /// <summary>The ring this view reads.</summary>
    public RingLayout Layout { get; }

    /// <summary>Why the ring is broken (names the indices the peer published), or null while it is sound.</summary>
    public string? BrokenReason { get; private set; }

    /// <summary>
    /// Snapshots the indices once and exposes the readable bytes in place. Read them, then call
    /// <see cref="Advance"/> with the number taken.
    /// </summary>
    /// <param name="segments">The readable bytes (empty when the ring is empty or broken).</param>
    /// <returns><see cref="RingStatus.Broken"/> when the peer's indices are invalid.</returns>
    public RingStatus GetReadable(out RingSegments segments)
    {
        segments = default;
        _readable = 0;
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

        // C readers: mb() between reading the producer index and reading the data it covers.
        Interlocked.MemoryBarrier();
        _consumer = indices.Consumer;
        _readable = indices.Used;
        segments = RingSegments.At(_page, Layout, _consumer, _readable);
        return RingStatus.Ok;
    }

    /// <summary>
    /// Publishes that <paramref name="count"/> bytes of the last <see cref="GetReadable"/> were taken,
    /// freeing their space for the producer. Notify the peer afterwards.
    /// </summary>
    /// <param name="count">Bytes taken, at most the length last exposed.</param>
    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _readable);
        if (count == 0)
        {
            return;
        }

        _consumer += (uint)count;
        _readable -= count;

        // Release write: the copies out of the ring complete before the producer may reuse the space.
        _page.WriteUInt32Volatile(Layout.ConsumerIndexOffset, _consumer);
    }

    /// <summary>Copies up to <c>destination.Length</c> readable bytes out and advances past them.</summary>
    /// <param name="destination">Where to copy.</param>
    /// <param name="bytesRead">Bytes copied (0 when empty or broken).</param>
    /// <returns><see cref="RingStatus.Broken"/> when the peer's indices are invalid.</returns>
    public RingStatus Read(Span<byte> destination, out int bytesRead)
    {
        bytesRead = 0;
        if (GetReadable(out var segments) != RingStatus.Ok)
        {
            return RingStatus.Broken;
        }

        var first = segments.First.Span;
        var fromFirst = Math.Min(first.Length, destination.Length);
        first[..fromFirst].CopyTo(destination);
        var second = segments.Second.Span;
        var fromSecond = Math.Min(second.Length, destination.Length - fromFirst);
        second[..fromSecond].CopyTo(destination[fromFirst..]);
        bytesRead = fromFirst + fromSecond;
        Advance(bytesRead);
        return RingStatus.Ok;
    }
}
