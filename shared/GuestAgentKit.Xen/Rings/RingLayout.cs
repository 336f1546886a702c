using System.Numerics;

namespace GuestAgentKit.Xen.Rings;

/// <summary>
/// Where one byte ring of a shared page lives: its data array and its two free-running 32-bit
/// indices, as the C struct lays them out (e.g. <c>out</c>, <c>out_cons</c>, <c>out_prod</c> of
/// <c>struct xencons_interface</c>). Validated against the page once, so ring operations never
/// need to bounds-check again.
/// </summary>
public sealed record RingLayout
{
    /// <summary>Describes a ring and checks it fits the page.</summary>
    /// <param name="name">The C name of the data array, used in diagnostics (e.g. "out").</param>
    /// <param name="dataOffset">Offset of the data array in the page.</param>
    /// <param name="size">Size of the data array; a power of two (the C code masks indices with <c>size - 1</c>).</param>
    /// <param name="consumerIndexOffset">Offset of the consumer index (<c>*_cons</c>).</param>
    /// <param name="producerIndexOffset">Offset of the producer index (<c>*_prod</c>).</param>
    public RingLayout(string name, int dataOffset, int size, int consumerIndexOffset, int producerIndexOffset)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (size <= 0 || !BitOperations.IsPow2(size))
        {
            throw new ArgumentOutOfRangeException(nameof(size), $"ring size {size} is not a power of two");
        }

        if (dataOffset < 0 || dataOffset > SharedPage.Size - size)
        {
            throw new ArgumentOutOfRangeException(nameof(dataOffset), $"ring [{dataOffset}, +{size}) is outside the page");
        }

        CheckIndexField(consumerIndexOffset, nameof(consumerIndexOffset));
        CheckIndexField(producerIndexOffset, nameof(producerIndexOffset));
        Name = name;
        DataOffset = dataOffset;
        Size = size;
        ConsumerIndexOffset = consumerIndexOffset;
        ProducerIndexOffset = producerIndexOffset;
    }

    /// <summary>The C name of the data array.</summary>
    public string Name { get; }

    /// <summary>Offset of the data array in the page.</summary>
    public int DataOffset { get; }

    /// <summary>Size of the data array in bytes (a power of two).</summary>
    public int Size { get; }

    /// <summary>Offset of the consumer index.</summary>
    public int ConsumerIndexOffset { get; }

    /// <summary>Offset of the producer index.</summary>
    public int ProducerIndexOffset { get; }

    private static void CheckIndexField(int offset, string parameter)
    {
        if (offset < 0 || offset > SharedPage.Size - sizeof(uint) || (offset & 3) != 0)
        {
            throw new ArgumentOutOfRangeException(parameter, $"index field at {offset} is not an aligned 32-bit field of the page");
        }
    }
}
