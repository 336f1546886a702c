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
    public const int EAGAIN = 11;

    [LibraryImport(Library, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(Library, EntryPoint = "read", SetLastError = true)]
    public static unsafe partial nint Read(int fd, byte* buffer, nint count);

    [LibraryImport(Library, EntryPoint = "write", SetLastError = true)]
    public static unsafe partial nint Write(int fd, byte* buffer, nint count);
}
