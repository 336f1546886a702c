using System.Buffers;

namespace GuestAgentKit.Xen;

/// <summary>
/// Exposes a shared page as <see cref="Memory{T}"/> so ring data can be handed to asynchronous I/O
/// (a socket send straight from the ring) without copying. Pinning is a no-op: the page is not
/// managed memory and never moves.
/// </summary>
internal sealed unsafe class PageMemoryManager(byte* address) : MemoryManager<byte>
{
    public override Span<byte> GetSpan() => new(address, SharedPage.Size);

    public override MemoryHandle Pin(int elementIndex = 0)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)elementIndex, (uint)SharedPage.Size, nameof(elementIndex));
        return new MemoryHandle(address + elementIndex);
    }

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
    }
}
