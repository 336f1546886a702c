namespace GuestAgentKit.Xen.Rings;

/// <summary>
/// A contiguous run of ring bytes as up to two pieces of the shared page (the second is non-empty only
/// when the run wraps past the end of the data array). The memory aliases the page: use it before the
/// next operation on the same view and never after the mapping is disposed.
/// </summary>
public readonly struct RingSegments
{
    internal RingSegments(Memory<byte> first, Memory<byte> second)
    {
        First = first;
        Second = second;
    }

    /// <summary>The piece starting at the current index.</summary>
    public Memory<byte> First { get; }

    /// <summary>The piece that continues at the start of the data array, or empty.</summary>
    public Memory<byte> Second { get; }

    /// <summary>Total number of bytes in both pieces.</summary>
    public int Length => First.Length + Second.Length;

    /// <summary>True when there are no bytes.</summary>
    public bool IsEmpty => Length == 0;

    /// <summary>The two pieces of the run of <paramref name="count"/> bytes starting at free-running <paramref name="index"/>.</summary>
    internal static RingSegments At(SharedPage page, RingLayout layout, uint index, int count)
    {
        var start = (int)(index & (uint)(layout.Size - 1));
        var first = Math.Min(count, layout.Size - start);
        return new RingSegments(
            page.SliceMemory(layout.DataOffset + start, first),
            page.SliceMemory(layout.DataOffset, count - first));
    }
}
