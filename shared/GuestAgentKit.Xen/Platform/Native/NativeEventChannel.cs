namespace GuestAgentKit.Xen.Platform.Native;

/// <summary>
/// One port bound on the platform's single <c>xenevtchn</c> handle. The platform's pump reports events
/// here; they coalesce into one pending flag until a wait consumes it.
/// </summary>
internal sealed class NativeEventChannel(NativeXenPlatform platform, EventChannelPort port) : IEventChannel
{
    private readonly Lock _gate = new();
    private bool _pending;
    private bool _disposed;
    private Exception? _failure;
    private TaskCompletionSource? _waiter;

    public EventChannelPort LocalPort { get; } = port;

    public void Notify()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        platform.Notify(LocalPort);
    }

    public async ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        TaskCompletionSource waiter;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_failure is not null)
            {
                throw new IOException($"event channel port {LocalPort}: {_failure.Message}", _failure);
            }

            if (_pending)
            {
                _pending = false;
                return;
            }

            if (_waiter is not null)
            {
                // Same rule as the loopback (one FdPoller wait per descriptor): one waiter per channel.
                throw new InvalidOperationException($"event channel port {LocalPort} already has a pending wait");
            }

            waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiter = waiter;
        }

        using (cancellationToken.UnsafeRegister(static (state, token) => CancelWait(((NativeEventChannel, TaskCompletionSource))state!, token), (this, waiter)))
        {
            await waiter.Task.ConfigureAwait(false);
        }
    }

    /// <summary>An event arrived for this port (called by the platform's pump).</summary>
    public void Signal()
    {
        lock (_gate)
        {
            if (_waiter is { } waiter)
            {
                _waiter = null;
                waiter.TrySetResult();
            }
            else
            {
                _pending = true;
            }
        }
    }

    /// <summary>The platform can no longer deliver events: fail the current and every later wait.</summary>
    public void Fail(Exception error)
    {
        lock (_gate)
        {
            _failure ??= error;
            _waiter?.TrySetException(new IOException($"event channel port {LocalPort}: {error.Message}", error));
            _waiter = null;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _waiter?.TrySetException(new ObjectDisposedException(nameof(NativeEventChannel), $"event channel port {LocalPort} was unbound"));
            _waiter = null;
        }

        platform.Unbind(this);
    }

    private static void CancelWait((NativeEventChannel Channel, TaskCompletionSource Waiter) wait, CancellationToken token)
    {
        // Only this wait's own waiter: a later wait may already have replaced it.
        lock (wait.Channel._gate)
        {
            if (wait.Channel._waiter == wait.Waiter)
            {
                wait.Channel._waiter = null;
                wait.Waiter.TrySetCanceled(token);
            }
        }
    }
}
