using System.Runtime.InteropServices;

namespace GuestAgentKit.Posix;

/// <summary>
/// The few libc calls .NET does not expose. Split by concern into <c>LibC.*.cs</c>; every import
/// sets errno so callers can report <see cref="Marshal.GetLastPInvokeError"/>.
/// </summary>
internal static partial class LibC
{
    private const string Library = "libc";

    public const int ENOENT = 2;
    public const int EINTR = 4;
    public const int EBADF = 9;
    public const int EAGAIN = 11;
    public const int EPIPE = 32;

    // <asm-generic/fcntl.h> (x86-64 and arm64 use the generic values).
    public const int O_WRONLY = 0x1;
    public const int O_RDWR = 0x2;
    public const int O_NONBLOCK = 0x800; // 04000
    public const int O_CLOEXEC = 0x80000; // 02000000

    [LibraryImport(Library, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(Library, EntryPoint = "read", SetLastError = true)]
    public static unsafe partial nint Read(int fd, byte* buffer, nint count);

    [LibraryImport(Library, EntryPoint = "write", SetLastError = true)]
    public static unsafe partial nint Write(int fd, byte* buffer, nint count);
}
