using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace GuestAgentKit.Posix;

/// <summary>
/// Opens terminals the way an agent must talk over them (XEN-FACTS.md §4, as qemu-ga does): without
/// becoming their controlling terminal, in raw mode, with stale input flushed.
/// </summary>
public static class Tty
{
    /// <summary>
    /// Opens a tty <c>O_RDWR|O_NOCTTY|O_NONBLOCK|O_CLOEXEC</c> and leaves its modes as they are
    /// (a new tty is in cooked mode: echo, line editing, CR/NL translation).
    /// </summary>
    /// <param name="path">The device, e.g. <c>/dev/hvc1</c> or <c>/dev/pts/3</c>.</param>
    /// <param name="poller">The poller to wait on; <see cref="FdPoller.Shared"/> when null.</param>
    /// <returns>The stream, which owns the descriptor.</returns>
    /// <exception cref="PosixException">The open failed (errno tells why, e.g. 2 ENOENT).</exception>
    public static FdStream Open(string path, FdPoller? poller = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var fd = LibC.Open(path, LibC.O_RDWR | LibC.O_NOCTTY | LibC.O_NONBLOCK | LibC.O_CLOEXEC, 0);
        if (fd < 0)
        {
            throw PosixException.FromErrno($"open({path})");
        }

        return new FdStream(new SafeFileHandle(fd, ownsHandle: true), path, poller);
    }

    /// <summary>
    /// Opens a tty as <see cref="Open"/> does, puts it in raw mode (<c>cfmakeraw</c>: 8 bits, no echo, no
    /// line editing or translation, no signals, <c>VMIN</c> 1) and discards input queued before the open
    /// (<c>tcflush(TCIFLUSH)</c>), so every byte moves unchanged and a session starts clean.
    /// </summary>
    /// <param name="path">The device, e.g. <c>/dev/hvc1</c>.</param>
    /// <param name="poller">The poller to wait on; <see cref="FdPoller.Shared"/> when null.</param>
    /// <returns>The stream, which owns the descriptor.</returns>
    /// <exception cref="PosixException">The open or a termios call failed (25 ENOTTY: not a terminal).</exception>
    public static FdStream OpenRaw(string path, FdPoller? poller = null)
    {
        var stream = Open(path, poller);
        try
        {
            MakeRaw(stream.SafeHandle);
            FlushInput(stream.SafeHandle);
            return stream;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Puts the terminal in raw mode (<c>tcgetattr</c>, <c>cfmakeraw</c>, <c>tcsetattr(TCSANOW)</c>).</summary>
    /// <param name="tty">An open terminal; for a pty master the change applies to the pair's slave side.</param>
    /// <exception cref="PosixException">A termios call failed.</exception>
    public static unsafe void MakeRaw(SafeHandle tty)
    {
        ArgumentNullException.ThrowIfNull(tty);
        var added = false;
        tty.DangerousAddRef(ref added);
        try
        {
            var fd = (int)tty.DangerousGetHandle();
            LibC.Termios termios;
            if (LibC.TcGetAttr(fd, &termios) != 0)
            {
                throw PosixException.FromErrno($"tcgetattr(fd {fd})");
            }

            LibC.CfMakeRaw(&termios);
            if (LibC.TcSetAttr(fd, LibC.TCSANOW, &termios) != 0)
            {
                throw PosixException.FromErrno($"tcsetattr(fd {fd})");
            }
        }
        finally
        {
            if (added)
            {
                tty.DangerousRelease();
            }
        }
    }

    /// <summary>Discards bytes received but not yet read (<c>tcflush(TCIFLUSH)</c>).</summary>
    /// <param name="tty">An open terminal.</param>
    /// <exception cref="PosixException">The call failed.</exception>
    public static void FlushInput(SafeHandle tty)
    {
        ArgumentNullException.ThrowIfNull(tty);
        var added = false;
        tty.DangerousAddRef(ref added);
        try
        {
            var fd = (int)tty.DangerousGetHandle();
            if (LibC.TcFlush(fd, LibC.TCIFLUSH) != 0)
            {
                throw PosixException.FromErrno($"tcflush(fd {fd})");
            }
        }
        finally
        {
            if (added)
            {
                tty.DangerousRelease();
            }
        }
    }
}
