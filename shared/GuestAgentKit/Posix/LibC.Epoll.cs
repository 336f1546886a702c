using System.Runtime.InteropServices;

namespace GuestAgentKit.Posix;

internal static partial class LibC
{
    public const int EPOLL_CLOEXEC = 0x80000;
    public const int EPOLL_CTL_ADD = 1;
    public const int EPOLL_CTL_DEL = 2;
    public const int EPOLL_CTL_MOD = 3;
    public const uint EPOLLONESHOT = 1u << 30;

    /// <summary>
    /// <c>struct epoll_event</c>. On x86-64 the kernel declares it packed (12 bytes); elsewhere the
    /// 64-bit data field is naturally aligned (16 bytes). <see cref="EpollIsPacked"/> picks the layout.
    /// </summary>
    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    public struct EpollEventPacked
    {
        public uint Events;
        public ulong Data;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct EpollEventAligned
    {
        public uint Events;
        public ulong Data;
    }

    public static bool EpollIsPacked => RuntimeInformation.ProcessArchitecture == Architecture.X64;

    [LibraryImport(Library, EntryPoint = "epoll_create1", SetLastError = true)]
    public static partial int EpollCreate1(int flags);

    [LibraryImport(Library, EntryPoint = "epoll_ctl", SetLastError = true)]
    public static unsafe partial int EpollCtl(int epfd, int op, int fd, void* ev);

    [LibraryImport(Library, EntryPoint = "epoll_wait", SetLastError = true)]
    public static unsafe partial int EpollWait(int epfd, void* events, int maxEvents, int timeout);
}
