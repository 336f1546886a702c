using System.Runtime.InteropServices;

namespace GuestAgentKit.Posix;

internal static partial class LibC
{
    public const int ENXIO = 6;
    public const int EEXIST = 17;

    [LibraryImport(Library, EntryPoint = "mkfifo", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MkFifo(string path, uint mode);

    /// <summary><c>open(2)</c> without <c>O_CREAT</c>, so the variadic mode argument is never read.</summary>
    [LibraryImport(Library, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);
}
