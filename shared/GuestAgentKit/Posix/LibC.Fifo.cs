using System.Runtime.InteropServices;

namespace GuestAgentKit.Posix;

internal static partial class LibC
{
    public const int ENXIO = 6;
    public const int EEXIST = 17;
    public const int EPIPE = 32;

    public const int O_WRONLY = 1;
    public const int O_RDWR = 2;
    public const int O_NONBLOCK = 0x800;
    public const int O_CLOEXEC = 0x80000;

    [LibraryImport(Library, EntryPoint = "mkfifo", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MkFifo(string path, uint mode);

    /// <summary><c>open(2)</c> without <c>O_CREAT</c>, so the variadic mode argument is never read.</summary>
    [LibraryImport(Library, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);
}
