using System.Runtime.InteropServices;

namespace GuestAgentKit.Host.Backend;

/// <summary>The few non-blocking descriptor calls the proxy makes directly, so it knows exactly how many bytes
/// each call moved (a .NET stream write that fails half way does not say).</summary>
internal static partial class Fd
{
    public const int EAGAIN = 11;
    public const int EINTR = 4;
    private const int MSG_NOSIGNAL = 0x4000;

    /// <summary>Writes what fits; returns the count, -1 for "would block", or -2 when the peer is gone.</summary>
    public static unsafe int TryWrite(int fd, ReadOnlySpan<byte> data, bool isSocket)
    {
        fixed (byte* p = data)
        {
            while (true)
            {
                var n = isSocket ? Send(fd, p, data.Length, MSG_NOSIGNAL) : Write(fd, p, data.Length);
                if (n >= 0)
                {
                    return (int)n;
                }

                var errno = Marshal.GetLastPInvokeError();
                if (errno != EINTR)
                {
                    return errno == EAGAIN ? -1 : -2;
                }
            }
        }
    }

    /// <summary>Reads what is there; returns the count, 0 at end of stream, -1 for "would block", -2 on error.</summary>
    public static unsafe int TryRead(int fd, Span<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            while (true)
            {
                var n = Read(fd, p, buffer.Length);
                if (n >= 0)
                {
                    return (int)n;
                }

                var errno = Marshal.GetLastPInvokeError();
                if (errno != EINTR)
                {
                    return errno == EAGAIN ? -1 : -2;
                }
            }
        }
    }

    /// <summary>True when the peer of a socket has closed or shut down its sending side (<c>POLLRDHUP</c>/<c>POLLHUP</c>),
    /// i.e. what is left to read is all there will be.</summary>
    public static unsafe bool PeerHasLeft(int fd)
    {
        const short POLLHUP = 0x10;
        const short POLLRDHUP = 0x2000;
        var entry = new PollFd { Fd = fd, Events = POLLRDHUP };
        return Poll(&entry, 1, 0) == 1 && (entry.Revents & (POLLHUP | POLLRDHUP)) != 0;
    }

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static unsafe partial int Poll(PollFd* fds, nuint count, int timeout);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static unsafe partial nint Read(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static unsafe partial nint Write(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "send", SetLastError = true)]
    private static unsafe partial nint Send(int fd, byte* buffer, nint count, int flags);

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }
}
