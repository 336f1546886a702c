using System.Runtime.InteropServices;
using GuestAgentKit.Xen;

namespace GuestAgentKit.Tests.Xen;

/// <summary>A <see cref="SharedPage"/> between two guard pages, to prove the codec never touches memory outside it.</summary>
internal sealed unsafe class GuardedPage : IDisposable
{
    private const byte GuardByte = 0xA5;
    private readonly byte* _block;

    public GuardedPage()
    {
        _block = (byte*)NativeMemory.AlignedAlloc(3 * SharedPage.Size, SharedPage.Size);
        new Span<byte>(_block, 3 * SharedPage.Size).Fill(GuardByte);
        Page = new SharedPage((nint)(_block + SharedPage.Size));
        Page.Clear();
    }

    public SharedPage Page { get; }

    public Span<byte> Bytes => new(_block + SharedPage.Size, SharedPage.Size);

    public bool GuardsIntact =>
        !new Span<byte>(_block, SharedPage.Size).ContainsAnyExcept(GuardByte)
        && !new Span<byte>(_block + (2 * SharedPage.Size), SharedPage.Size).ContainsAnyExcept(GuardByte);

    public void Dispose() => NativeMemory.AlignedFree(_block);
}
