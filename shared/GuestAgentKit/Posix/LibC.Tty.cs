using System.Runtime.InteropServices;

namespace GuestAgentKit.Posix;

internal static partial class LibC
{
    public const int O_NOCTTY = 0x100; // 0400
    public const int F_DUPFD_CLOEXEC = 1030; // <linux/fcntl.h> F_LINUX_SPECIFIC_BASE + 6

    // <bits/termios-tcflow.h>, <bits/termios.h>
    public const int TCSANOW = 0;
    public const int TCIFLUSH = 0;

    public const int EIO = 5;

    /// <summary>
    /// <c>struct termios</c> as glibc declares it for Linux (<c>/usr/include/x86_64-linux-gnu/bits/termios-struct.h</c>,
    /// the "Linux/generic version", also used on arm64): four <c>tcflag_t</c> (unsigned int), <c>cc_t c_line</c>,
    /// <c>cc_t c_cc[NCCS]</c> with <c>NCCS 32</c>, then <c>speed_t c_ispeed, c_ospeed</c>. Offsets 0/4/8/12, 16, 17,
    /// 52/56; sizeof 60 (checked with gcc on Debian 12). This is glibc's user-space struct, not the kernel's
    /// (glibc's tcgetattr/tcsetattr convert); we only pass it by pointer between those calls and cfmakeraw.
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct Termios
    {
        public uint InputFlags; // c_iflag
        public uint OutputFlags; // c_oflag
        public uint ControlFlags; // c_cflag
        public uint LocalFlags; // c_lflag
        public byte Line; // c_line
        public fixed byte ControlChars[32]; // c_cc[NCCS]
        public uint InputSpeed; // c_ispeed
        public uint OutputSpeed; // c_ospeed
    }

    // open(2) is variadic; the mode argument is passed explicitly (0, unused without O_CREAT). On the
    // x86-64 and arm64 Linux ABIs a variadic callee reads integer arguments from the same registers
    // as a fixed-argument call, so a non-variadic import is correct there.
    [LibraryImport(Library, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags, uint mode);

    [LibraryImport(Library, EntryPoint = "fcntl", SetLastError = true)]
    public static partial int Fcntl(int fd, int command, int argument);

    [LibraryImport(Library, EntryPoint = "tcgetattr", SetLastError = true)]
    public static unsafe partial int TcGetAttr(int fd, Termios* termios);

    [LibraryImport(Library, EntryPoint = "cfmakeraw", SetLastError = true)]
    public static unsafe partial void CfMakeRaw(Termios* termios);

    [LibraryImport(Library, EntryPoint = "tcsetattr", SetLastError = true)]
    public static unsafe partial int TcSetAttr(int fd, int optionalActions, Termios* termios);

    [LibraryImport(Library, EntryPoint = "tcflush", SetLastError = true)]
    public static partial int TcFlush(int fd, int queueSelector);

    [LibraryImport(Library, EntryPoint = "posix_openpt", SetLastError = true)]
    public static partial int PosixOpenPt(int flags);

    [LibraryImport(Library, EntryPoint = "grantpt", SetLastError = true)]
    public static partial int GrantPt(int fd);

    [LibraryImport(Library, EntryPoint = "unlockpt", SetLastError = true)]
    public static partial int UnlockPt(int fd);

    [LibraryImport(Library, EntryPoint = "ptsname_r", SetLastError = true)]
    public static unsafe partial int PtsNameR(int fd, byte* buffer, nint length);
}
