using System.Runtime.CompilerServices;

namespace GuestAgentKit.Xen;

/// <summary>
/// One 4 KiB page of memory shared with another domain (a mapped grant, or a loopback page file).
/// The other side may change any byte at any time: read every field the ring codec needs once,
/// through <see cref="ReadUInt32Volatile"/>, and never trust a value read twice to be equal.
/// The page is owned by whoever mapped it; this type only gives bounded access to it.
/// </summary>
public sealed unsafe class SharedPage
{
    /// <summary>Size of a Xen page (<c>XC_PAGE_SIZE</c>).</summary>
    public const int Size = 4096;

    private readonly byte* _address;
    private readonly Memory<byte> _memory;

    /// <summary>Wraps a mapped page. The caller keeps the mapping alive while this object is used.</summary>
    /// <param name="address">Address of the first byte of a readable and writable 4 KiB mapping.</param>
    public SharedPage(nint address)
    {
        ArgumentOutOfRangeException.ThrowIfZero(address);
        _address = (byte*)address;
        _memory = new PageMemoryManager(_address).Memory;
    }

    /// <summary>Address of the mapping, for native calls.</summary>
    public nint Address => (nint)_address;

    /// <summary>A span over <paramref name="length"/> bytes at <paramref name="offset"/>, checked against the page.</summary>
    /// <param name="offset">Byte offset into the page.</param>
    /// <param name="length">Number of bytes.</param>
    /// <returns>A span aliasing the shared memory.</returns>
    public Span<byte> Slice(int offset, int length)
    {
        if ((uint)offset > Size || (uint)length > (uint)(Size - offset))
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"[{offset}, +{length}) is outside the {Size}-byte page");
        }

        return new Span<byte>(_address + offset, length);
    }

    /// <summary>
    /// Like <see cref="Slice"/>, but as <see cref="Memory{T}"/> for asynchronous I/O. The memory aliases
    /// the mapping: it must not be used after the mapping is disposed.
    /// </summary>
    /// <param name="offset">Byte offset into the page.</param>
    /// <param name="length">Number of bytes.</param>
    /// <returns>Memory aliasing the shared page.</returns>
    public Memory<byte> SliceMemory(int offset, int length)
    {
        if ((uint)offset > Size || (uint)length > (uint)(Size - offset))
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"[{offset}, +{length}) is outside the {Size}-byte page");
        }

        return _memory.Slice(offset, length);
    }

    /// <summary>Reads a naturally aligned little-endian 32-bit field once, with acquire semantics.</summary>
    /// <param name="offset">Byte offset of the field (multiple of 4).</param>
    /// <returns>The value the page held at the moment of the read.</returns>
    public uint ReadUInt32Volatile(int offset) => Volatile.Read(ref Field(offset));

    /// <summary>Writes a naturally aligned 32-bit field with release semantics (publishes earlier writes).</summary>
    /// <param name="offset">Byte offset of the field (multiple of 4).</param>
    /// <param name="value">The value to publish.</param>
    public void WriteUInt32Volatile(int offset, uint value) => Volatile.Write(ref Field(offset), value);

    /// <summary>Clears the whole page (a fresh frontend page is zeroed, as hvc_xen allocates it).</summary>
    public void Clear() => new Span<byte>(_address, Size).Clear();

    private ref uint Field(int offset)
    {
        if ((uint)offset > Size - sizeof(uint) || (offset & 3) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"offset {offset} is not an aligned 32-bit field of the page");
        }

        return ref Unsafe.AsRef<uint>(_address + offset);
    }
}
