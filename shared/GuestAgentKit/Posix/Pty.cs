using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace GuestAgentKit.Posix;

/// <summary>
/// A pseudo-terminal pair: the master as an <see cref="FdStream"/> for this process, the slave as a path
/// (<c>/dev/pts/N</c>) for whoever plays the other end. Stands in for <c>/dev/hvcN</c> in the loopback
/// guest kernel emulator and carries <c>connection=pty</c> channels in the backend; many can be served at
/// once because the master waits on the shared <see cref="FdPoller"/>, not on a thread.
/// </summary>
/// <remarks>
/// <para>Holding the slave open (the default): on Linux, once the slave has been opened and its last
/// descriptor closes, the master sees hang-up (<c>POLLHUP</c> on every poll, reads fail with <c>EIO</c>, which
/// <see cref="FdStream"/> reports as 0 bytes) until the slave is opened again; before the first open it
/// merely has nothing to read. A channel endpoint must instead behave like
/// <c>/dev/hvcN</c>: always present, the agent coming and going, bytes for it waiting in the queue. So by
/// default the pair keeps one slave descriptor open (never read) for its lifetime; then the master never
/// sees hang-up and bytes written to it wait in the slave's input queue until an agent opens the slave
/// (and, being an agent, flushes them). Pass <c>holdSlaveOpen: false</c> when the master must notice that
/// the other end closed; after a 0-byte read it may read again once the slave is reopened.</para>
/// <para>Termios requests on a master act on the slave's settings (Linux <c>tty_mode_ioctl</c> redirects
/// them to <c>tty-&gt;link</c>; the master side itself is raw from creation), so <see cref="MakeRaw"/> makes
/// the whole pair binary-clean whoever opens the slave later.</para>
/// <para>Disposing closes the master: an open slave then reads end of stream and writes fail with
/// <c>EIO</c> - the hang-up a guest sees when its console backend goes away.</para>
/// </remarks>
public sealed class Pty : IDisposable
{
    private const int PathMax = 128;

    private readonly SafeFileHandle? _heldSlave;

    private Pty(FdStream master, string slavePath, SafeFileHandle? heldSlave)
    {
        Master = master;
        SlavePath = slavePath;
        _heldSlave = heldSlave;
    }

    /// <summary>The master end, owned by this pair.</summary>
    public FdStream Master { get; }

    /// <summary>The slave device path, e.g. <c>/dev/pts/7</c>.</summary>
    public string SlavePath { get; }

    /// <summary>
    /// Allocates a pair (<c>posix_openpt(O_RDWR|O_NOCTTY|O_NONBLOCK|O_CLOEXEC)</c>, <c>grantpt</c>,
    /// <c>unlockpt</c>, <c>ptsname_r</c>).
    /// </summary>
    /// <param name="holdSlaveOpen">Keep a slave descriptor open so the master never sees hang-up (see remarks).</param>
    /// <param name="poller">The poller the master waits on; <see cref="FdPoller.Shared"/> when null.</param>
    /// <returns>The pair; dispose it to close the master.</returns>
    /// <exception cref="PosixException">A call failed (e.g. 24 EMFILE, or 28 ENOSPC when the pty limit is reached).</exception>
    public static unsafe Pty Open(bool holdSlaveOpen = true, FdPoller? poller = null)
    {
        var masterFd = LibC.PosixOpenPt(LibC.O_RDWR | LibC.O_NOCTTY | LibC.O_NONBLOCK | LibC.O_CLOEXEC);
        if (masterFd < 0)
        {
            throw PosixException.FromErrno("posix_openpt");
        }

        var master = new FdStream(new SafeFileHandle(masterFd, ownsHandle: true), "/dev/ptmx", poller);
        SafeFileHandle? held = null;
        try
        {
            if (LibC.GrantPt(masterFd) != 0)
            {
                throw PosixException.FromErrno("grantpt");
            }

            if (LibC.UnlockPt(masterFd) != 0)
            {
                throw PosixException.FromErrno("unlockpt");
            }

            var buffer = stackalloc byte[PathMax];
            var error = LibC.PtsNameR(masterFd, buffer, PathMax);
            if (error != 0)
            {
                // ptsname_r returns the error number instead of setting errno.
                throw new PosixException($"ptsname_r failed (errno {error})");
            }

            var slavePath = Encoding.UTF8.GetString(MemoryMarshal.CreateReadOnlySpanFromNullTerminated(buffer));
            if (holdSlaveOpen)
            {
                var slaveFd = LibC.Open(slavePath, LibC.O_RDWR | LibC.O_NOCTTY | LibC.O_CLOEXEC, 0);
                if (slaveFd < 0)
                {
                    throw PosixException.FromErrno($"open({slavePath})");
                }

                held = new SafeFileHandle(slaveFd, ownsHandle: true);
            }

            return new Pty(master, slavePath, held);
        }
        catch
        {
            held?.Dispose();
            master.Dispose();
            throw;
        }
    }

    /// <summary>Puts the pair in raw mode (see remarks): bytes pass both ways unchanged, no echo.</summary>
    /// <exception cref="PosixException">A termios call failed.</exception>
    public void MakeRaw() => Tty.MakeRaw(Master.SafeHandle);

    /// <summary>Closes the master (and the held slave descriptor): the slave's users see hang-up.</summary>
    public void Dispose()
    {
        Master.Dispose();
        _heldSlave?.Dispose();
    }
}
