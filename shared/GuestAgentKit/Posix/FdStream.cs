using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace GuestAgentKit.Posix;

/// <summary>
/// A duplex <see cref="Stream"/> over a non-blocking file descriptor (tty, pty master, FIFO, socket) whose
/// async reads and writes wait for readiness on an <see cref="FdPoller"/>: no thread per stream, no polling,
/// and a pending read honours its <see cref="CancellationToken"/> (a .NET <see cref="FileStream"/> on a tty
/// does not).
/// </summary>
/// <remarks>
/// <para>End of stream and hang-up: a read returns 0 bytes when the descriptor reports end of file
/// (<c>read</c> returned 0, e.g. a tty whose other end hung up) or <c>EIO</c> (a pty master whose slave is
/// closed, a tty after <c>vhangup</c>/hvc removal). Either way the session is over and the device must be
/// reopened. A write in the same situation throws <see cref="HangUpException"/>. Every other failure
/// throws <see cref="PosixException"/>.</para>
/// <para>One read and one write may be pending at the same time. The poller allows one wait per
/// descriptor, so the stream keeps a duplicate of the descriptor for write waits (epoll keys its
/// registrations by file and descriptor number, so the two never collide).</para>
/// <para>A zero-length read or write returns at once. Cancelling a write that already wrote part of the
/// buffer leaves that part written. The synchronous <see cref="Read(Span{byte})"/> and
/// <see cref="Write(ReadOnlySpan{byte})"/> block in <c>poll</c> and cannot be cancelled.</para>
/// </remarks>
public sealed class FdStream : Stream
{
    private const int FGetFl = 3; // F_GETFL
    private const int FSetFl = 4; // F_SETFL
    private const short PollIn = 0x001; // POLLIN
    private const short PollOut = 0x004; // POLLOUT

    private readonly SafeFileHandle _readHandle;
    private readonly SafeFileHandle _writeHandle;
    private readonly int _readFd;
    private readonly int _writeFd;
    private readonly FdPoller _poller;
    private readonly string _name;
    private int _disposed;

    /// <summary>
    /// Wraps an open descriptor; the stream owns it from now on and switches it to non-blocking mode
    /// (which affects every descriptor sharing its open file description).
    /// </summary>
    /// <param name="handle">An open descriptor for reading and writing.</param>
    /// <param name="name">What the descriptor is (a path), for error messages.</param>
    /// <param name="poller">The poller to wait on; <see cref="FdPoller.Shared"/> when null.</param>
    public FdStream(SafeFileHandle handle, string name, FdPoller? poller = null)
    {
        ArgumentNullException.ThrowIfNull(handle);
        ArgumentNullException.ThrowIfNull(name);
        _readHandle = handle;
        _name = name;
        _poller = poller ?? FdPoller.Shared;
        _readFd = (int)handle.DangerousGetHandle();

        var flags = LibC.Fcntl(_readFd, FGetFl, 0);
        if (flags < 0 || ((flags & LibC.O_NONBLOCK) == 0 && LibC.Fcntl(_readFd, FSetFl, flags | LibC.O_NONBLOCK) < 0))
        {
            throw PosixException.FromErrno($"fcntl(O_NONBLOCK, {name})");
        }

        _writeFd = LibC.Fcntl(_readFd, LibC.F_DUPFD_CLOEXEC, 0);
        if (_writeFd < 0)
        {
            throw PosixException.FromErrno($"fcntl(F_DUPFD_CLOEXEC, {name})");
        }

        _writeHandle = new SafeFileHandle(_writeFd, ownsHandle: true);
    }

    /// <summary>The descriptor (for termios calls such as <see cref="Tty.MakeRaw"/>); owned by the stream.</summary>
    public SafeFileHandle SafeHandle => _readHandle;

    /// <summary>What the descriptor is, as given when the stream was created.</summary>
    public string Name => _name;

    /// <summary>
    /// When true, the code awaiting a <see cref="ReadAsync(Memory{byte}, CancellationToken)"/> that had to wait for
    /// bytes continues on the poller's thread instead of a thread-pool thread (one wake-up per message instead of two
    /// or three; see <see cref="FdPoller.WaitAsync(int, PollEvents, bool, CancellationToken)"/>). Set it only when
    /// that code is short and never blocks up to its next await: it holds up every other descriptor of the poller.
    /// </summary>
    public bool ReadsContinueOnPoller { get; set; }

    /// <inheritdoc />
    public override bool CanRead => _disposed == 0;

    /// <inheritdoc />
    public override bool CanWrite => _disposed == 0;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <inheritdoc />
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var count = ReadOnce(buffer.Span);
            if (count >= 0)
            {
                return (int)count;
            }

            await WaitAsync(_readHandle, PollEvents.In, ReadsContinueOnPoller, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (!buffer.IsEmpty)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var count = WriteOnce(buffer.Span);
            if (count >= 0)
            {
                buffer = buffer[(int)count..];
                continue;
            }

            await WaitAsync(_writeHandle, PollEvents.Out, continueOnPollerThread: false, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override int Read(Span<byte> buffer)
    {
        while (true)
        {
            var count = ReadOnce(buffer);
            if (count >= 0)
            {
                return (int)count;
            }

            PollBlocking(_readHandle, PollIn);
        }
    }

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            var count = WriteOnce(buffer);
            if (count >= 0)
            {
                buffer = buffer[(int)count..];
                continue;
            }

            PollBlocking(_writeHandle, PollOut);
        }
    }

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <summary>Does nothing: writes go straight to the descriptor.</summary>
    public override void Flush()
    {
    }

    /// <summary>Does nothing: writes go straight to the descriptor.</summary>
    /// <param name="cancellationToken">Unused.</param>
    /// <returns>A completed task.</returns>
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && disposing)
        {
            // Forget before close: epoll drops a registration only when the last descriptor of the
            // file closes, and pending waits must fail now rather than hang.
            _poller.Forget(_readFd);
            _poller.Forget(_writeFd);
            _readHandle.Dispose();
            _writeHandle.Dispose();
        }

        base.Dispose(disposing);
    }

    private async ValueTask WaitAsync(SafeFileHandle handle, PollEvents events, bool continueOnPollerThread, CancellationToken cancellationToken)
    {
        ValueTask<PollEvents> wait;
        var added = false;
        // The reference keeps the number from being closed and reused while we register it.
        handle.DangerousAddRef(ref added);
        try
        {
            var fd = (int)handle.DangerousGetHandle();
            wait = _poller.WaitAsync(fd, events, continueOnPollerThread, cancellationToken);
            if (Volatile.Read(ref _disposed) != 0)
            {
                // Dispose ran its Forget before this registration existed: fail the wait ourselves.
                _poller.Forget(fd);
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }

        // Hang-up and error are reported whatever we asked for; the next read or write sees them.
        await wait.ConfigureAwait(false);
    }

    private unsafe nint ReadOnce(Span<byte> buffer)
    {
        fixed (byte* pointer = buffer)
        {
            return Transfer(_readHandle, pointer, buffer.Length, write: false);
        }
    }

    private unsafe nint WriteOnce(ReadOnlySpan<byte> buffer)
    {
        fixed (byte* pointer = buffer)
        {
            return Transfer(_writeHandle, pointer, buffer.Length, write: true);
        }
    }

    /// <summary>One read or write: the byte count (0 on a read = end of stream or hang-up), or -1 = would block.</summary>
    private unsafe nint Transfer(SafeFileHandle handle, byte* buffer, int length, bool write)
    {
        if (length == 0)
        {
            ObjectDisposedException.ThrowIf(_disposed != 0, this);
            return 0;
        }

        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            var fd = (int)handle.DangerousGetHandle();
            while (true)
            {
                var count = write ? LibC.Write(fd, buffer, length) : LibC.Read(fd, buffer, length);
                if (count >= 0)
                {
                    return count;
                }

                var errno = Marshal.GetLastPInvokeError();
                switch (errno)
                {
                    case LibC.EINTR:
                        continue;
                    case LibC.EAGAIN:
                        return -1;
                    case LibC.EIO or LibC.EPIPE when !write:
                        return 0;
                    case LibC.EIO or LibC.EPIPE:
                        throw new HangUpException($"write({_name}): the other end hung up (errno {errno})");
                    default:
                        throw PosixException.FromErrno($"{(write ? "write" : "read")}({_name})");
                }
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    private unsafe void PollBlocking(SafeFileHandle handle, short events)
    {
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            var entry = new LibC.PollFd { Fd = (int)handle.DangerousGetHandle(), Events = events };
            if (LibC.Poll(&entry, 1, -1) < 0 && Marshal.GetLastPInvokeError() != LibC.EINTR)
            {
                throw PosixException.FromErrno($"poll({_name})");
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }
}
