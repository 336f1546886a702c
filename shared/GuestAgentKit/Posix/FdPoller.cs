using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace GuestAgentKit.Posix;

/// <summary>
/// Waits for readiness of many file descriptors with ONE epoll instance and ONE thread, so that a
/// daemon serving a thousand channels needs neither a thread per channel nor polling: the thread
/// sleeps in <c>epoll_wait</c> until the kernel wakes it. Registrations are one-shot: each
/// <see cref="WaitAsync(int, PollEvents, CancellationToken)"/> arms the descriptor once and completes on the first event. Disposing wakes the
/// thread through an eventfd in the same set, and the thread ends and closes its descriptors.
/// </summary>
public sealed unsafe class FdPoller : IDisposable
{
    private const int BatchSize = 64;

    // The epoll data of the stop eventfd; registered descriptors carry their (non-negative) number.
    private const ulong StopData = ulong.MaxValue;

    private static readonly Lazy<FdPoller> LazyShared = new(() => new FdPoller("gak-fd-poller"));

    [ThreadStatic]
    private static bool t_onPollerThread;

    private readonly int _epollFd;
    private readonly int _stopFd;
    private readonly Lock _gate = new();
    private readonly Thread _thread;
    private readonly ConcurrentDictionary<int, Waiter> _waiters = new();
    private readonly ConcurrentDictionary<int, byte> _known = new();
    private volatile bool _disposed;
    private bool _closed;

    /// <summary>Creates a poller with its own epoll instance and thread.</summary>
    /// <param name="threadName">Name of the waiting thread, as seen in debuggers and /proc.</param>
    public FdPoller(string threadName)
    {
        _epollFd = LibC.EpollCreate1(LibC.EPOLL_CLOEXEC);
        if (_epollFd < 0)
        {
            throw PosixException.FromErrno("epoll_create1");
        }

        _stopFd = LibC.EventFd(0, LibC.EFD_CLOEXEC | LibC.EFD_NONBLOCK);
        if (_stopFd < 0 || Control(LibC.EPOLL_CTL_ADD, _stopFd, (uint)PollEvents.In, StopData) != 0)
        {
            var error = PosixException.FromErrno(_stopFd < 0 ? "eventfd" : "epoll_ctl(eventfd)");
            LibC.Close(_epollFd);
            if (_stopFd >= 0)
            {
                LibC.Close(_stopFd);
            }

            throw error;
        }

        _thread = new Thread(Run) { IsBackground = true, Name = threadName };
        _thread.Start();
    }

    /// <summary>The process-wide poller.</summary>
    public static FdPoller Shared => LazyShared.Value;

    /// <summary>Whether the current thread is a poller's (code continuing there must leave before running a caller's).</summary>
    internal static bool OnPollerThread => t_onPollerThread;

    /// <summary>
    /// Completes when <paramref name="fd"/> shows one of <paramref name="events"/> (or an error/hang-up,
    /// which the kernel always reports). At most one wait per descriptor at a time.
    /// </summary>
    /// <param name="fd">An open, non-blocking file descriptor.</param>
    /// <param name="events">The conditions to wait for.</param>
    /// <param name="cancellationToken">Cancels this wait; the descriptor stays usable.</param>
    /// <returns>The conditions the kernel reported.</returns>
    public ValueTask<PollEvents> WaitAsync(int fd, PollEvents events, CancellationToken cancellationToken) =>
        WaitAsync(fd, events, continueOnPollerThread: false, cancellationToken);

    /// <summary>
    /// <see cref="WaitAsync(int, PollEvents, CancellationToken)"/>, optionally running the awaiting code on the
    /// poller's own thread when the event comes: no thread-pool hop (a queued item and a worker wake-up, often two),
    /// but every other descriptor of this poller waits until that code returns to its next await. Only for code
    /// that is short and never blocks. A cancelled or forgotten wait still completes on the thread pool, so no
    /// caller of <c>Cancel</c> or <see cref="Forget"/> runs the waiter's code inside its own call.
    /// </summary>
    /// <param name="fd">An open, non-blocking file descriptor.</param>
    /// <param name="events">The conditions to wait for.</param>
    /// <param name="continueOnPollerThread">Run the continuation of a readiness event on the poller's thread.</param>
    /// <param name="cancellationToken">Cancels this wait; the descriptor stays usable.</param>
    /// <returns>The conditions the kernel reported.</returns>
    public ValueTask<PollEvents> WaitAsync(int fd, PollEvents events, bool continueOnPollerThread, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<PollEvents>(cancellationToken);
        }

        var waiter = new Waiter(this, fd, continueOnPollerThread);
        if (!_waiters.TryAdd(fd, waiter))
        {
            throw new InvalidOperationException($"fd {fd} already has a pending wait");
        }

        var armed = (uint)events | LibC.EPOLLONESHOT;
        var result = _known.TryAdd(fd, 0) ? Control(LibC.EPOLL_CTL_ADD, fd, armed, (ulong)fd) : Control(LibC.EPOLL_CTL_MOD, fd, armed, (ulong)fd);
        if (result != 0 && Marshal.GetLastPInvokeError() == LibC.ENOENT)
        {
            // The number was closed without Forget (the kernel dropped it from the set) and reused.
            result = Control(LibC.EPOLL_CTL_ADD, fd, armed, (ulong)fd);
        }

        if (result != 0)
        {
            var error = PosixException.FromErrno($"epoll_ctl(fd {fd})");
            _waiters.TryRemove(fd, out _);
            _known.TryRemove(fd, out _);
            return ValueTask.FromException<PollEvents>(error);
        }

        if (_disposed)
        {
            Forget(fd); // Dispose ran between the check above and the registration: fail the wait now
        }

        if (cancellationToken.CanBeCanceled)
        {
            waiter.Registration = cancellationToken.UnsafeRegister(static (state, token) => ((Waiter)state!).Cancel(token), waiter);
        }

        return new ValueTask<PollEvents>(waiter.Completion.Task);
    }

    /// <summary>
    /// Removes <paramref name="fd"/> from the epoll set. Call before closing a descriptor that was
    /// waited on; a pending wait fails with <see cref="ObjectDisposedException"/>.
    /// </summary>
    /// <param name="fd">The descriptor about to be closed.</param>
    public void Forget(int fd)
    {
        if (_known.TryRemove(fd, out _))
        {
            Control(LibC.EPOLL_CTL_DEL, fd, 0, 0);
        }

        if (_waiters.TryRemove(fd, out var waiter))
        {
            waiter.Registration.Dispose();
            waiter.Fail(new ObjectDisposedException($"fd {fd}", "the descriptor was closed while a wait was pending"));
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var fd in _waiters.Keys)
        {
            Forget(fd);
        }

        // Closing the epoll fd would NOT wake a thread blocked in epoll_wait on it (the call holds its own
        // reference): the thread would sleep there for the rest of the process. Wake it; it closes both fds.
        ulong one = 1;
        LibC.Write(_stopFd, (byte*)&one, sizeof(ulong));
    }

    /// <summary>epoll_ctl under the gate the closing thread takes, so a number is never used after close (and reuse).</summary>
    private int Control(int op, int fd, uint events, ulong data)
    {
        lock (_gate)
        {
            if (_closed)
            {
                Marshal.SetLastPInvokeError(LibC.EBADF);
                return -1;
            }

            if (LibC.EpollIsPacked)
            {
                var ev = new LibC.EpollEventPacked { Events = events, Data = data };
                return LibC.EpollCtl(_epollFd, op, fd, &ev);
            }

            var aligned = new LibC.EpollEventAligned { Events = events, Data = data };
            return LibC.EpollCtl(_epollFd, op, fd, &aligned);
        }
    }

    private void Close()
    {
        lock (_gate)
        {
            _closed = true;
            LibC.Close(_epollFd);
            LibC.Close(_stopFd);
        }
    }

    private void Run()
    {
        var stride = LibC.EpollIsPacked ? sizeof(LibC.EpollEventPacked) : sizeof(LibC.EpollEventAligned);
        var buffer = stackalloc byte[BatchSize * stride];
        t_onPollerThread = true;
        try
        {
            while (!_disposed)
            {
                var count = LibC.EpollWait(_epollFd, buffer, BatchSize, -1);
                if (count < 0)
                {
                    if (Marshal.GetLastPInvokeError() == LibC.EINTR)
                    {
                        continue;
                    }

                    return;
                }

                Complete(buffer, stride, count);
            }
        }
        finally
        {
            Close();
        }
    }

    private void Complete(byte* buffer, int stride, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var entry = buffer + (i * stride);
            var events = *(uint*)entry;
            var data = *(ulong*)(entry + (LibC.EpollIsPacked ? 4 : 8));
            if (data != StopData && _waiters.TryRemove((int)data, out var waiter))
            {
                waiter.Registration.Dispose();
                waiter.Completion.TrySetResult((PollEvents)events);
            }
        }
    }

    private sealed class Waiter(FdPoller owner, int fd, bool continueOnPollerThread)
    {
        /// <summary>Completed with the events by the poller thread (<see cref="Complete"/>), which then runs the
        /// continuation itself when <c>continueOnPollerThread</c>.</summary>
        public TaskCompletionSource<PollEvents> Completion { get; } =
            new(continueOnPollerThread ? TaskCreationOptions.None : TaskCreationOptions.RunContinuationsAsynchronously);

        public CancellationTokenRegistration Registration { get; set; }

        public void Cancel(CancellationToken token)
        {
            // Disarm first so a late event cannot complete a wait nobody owns any more.
            if (owner._waiters.TryRemove(new KeyValuePair<int, Waiter>(fd, this)))
            {
                owner.Control(LibC.EPOLL_CTL_MOD, fd, LibC.EPOLLONESHOT, (ulong)fd);
                Fail(new OperationCanceledException(token));
            }
        }

        /// <summary>Fails the wait; an inline waiter's continuation goes to the thread pool, not into the caller's stack.</summary>
        public void Fail(Exception error)
        {
            if (!continueOnPollerThread)
            {
                Complete(error);
                return;
            }

            ThreadPool.UnsafeQueueUserWorkItem(static state => state.Waiter.Complete(state.Error), (Waiter: this, Error: error), preferLocal: false);
        }

        /// <summary>Fails the wait: cancelled when <paramref name="error"/> is the cancellation of a token, else faulted.</summary>
        private void Complete(Exception error)
        {
            if (error is OperationCanceledException { CancellationToken: var token } && token.IsCancellationRequested)
            {
                Completion.TrySetCanceled(token);
            }
            else
            {
                Completion.TrySetException(error);
            }
        }
    }
}
