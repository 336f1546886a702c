using System.Runtime.InteropServices;

namespace GuestAgentKit.Posix;

internal static partial class LibC
{
    // <sys/eventfd.h>: EFD_CLOEXEC = O_CLOEXEC, EFD_NONBLOCK = O_NONBLOCK.
    public const int EFD_CLOEXEC = O_CLOEXEC;
    public const int EFD_NONBLOCK = O_NONBLOCK;

    [LibraryImport(Library, EntryPoint = "eventfd", SetLastError = true)]
    public static partial int EventFd(uint initialValue, int flags);
}
