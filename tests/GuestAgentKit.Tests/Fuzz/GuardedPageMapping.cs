using System.ComponentModel;
using System.Runtime.InteropServices;
using GuestAgentKit.Xen;

namespace GuestAgentKit.Tests.Fuzz;

/// <summary>
/// Maps a loopback page file (MAP_SHARED, as the backend's own mapping) between two PROT_NONE pages:
/// a single byte read or written outside the page kills the test process with SIGSEGV instead of
/// silently touching a neighbour.
/// </summary>
internal sealed unsafe partial class GuardedPageMapping : IDisposable
{
    private const int ProtNone = 0;
    private const int ProtReadWrite = 0x1 | 0x2;
    private const int MapShared = 0x01;
    private const int MapPrivate = 0x02;
    private const int MapFixed = 0x10;
    private const int MapAnonymous = 0x20;
    private const int Span = 3 * SharedPage.Size;

    private readonly nint _block;

    public GuardedPageMapping(string pageFile)
    {
        _block = Mmap(0, Span, ProtNone, MapPrivate | MapAnonymous, -1, 0);
        ThrowIfFailed(_block, "reserve guard pages");
        using var file = File.OpenHandle(pageFile, FileMode.Open, FileAccess.ReadWrite);
        var middle = Mmap(_block + SharedPage.Size, SharedPage.Size, ProtReadWrite, MapShared | MapFixed, (int)file.DangerousGetHandle(), 0);
        ThrowIfFailed(middle, "map " + pageFile);
        Page = new SharedPage(middle);
    }

    public SharedPage Page { get; }

    public void Dispose() => _ = Munmap(_block, Span);

    private static void ThrowIfFailed(nint result, string what)
    {
        if (result == -1)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), "mmap failed: " + what);
        }
    }

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    private static partial nint Mmap(nint address, nint length, int protection, int flags, int fd, long offset);

    [LibraryImport("libc", EntryPoint = "munmap", SetLastError = true)]
    private static partial int Munmap(nint address, nint length);
}
