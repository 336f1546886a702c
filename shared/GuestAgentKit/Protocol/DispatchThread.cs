namespace GuestAgentKit.Protocol;

/// <summary>
/// The agent's JSON-RPC methods, one at a time and in arrival order, on one dedicated thread: what StreamJsonRpc's
/// default non-concurrent context guarantees, without its thread-pool hops (each queued item wakes a worker, and the
/// pool wakes a second one to look for more work: two or three wake-ups per request where this costs one). The
/// thread sleeps on an event when idle (no CPU) and ends on <see cref="Dispose"/> once drained; what is posted after
/// that (a late continuation of a method) runs on the thread pool, so nothing posted is ever dropped.
/// </summary>
internal sealed class DispatchThread : SynchronizationContext, IDisposable
{
    private readonly Queue<(SendOrPostCallback Callback, object? State)> _queue = new();
    private readonly Lock _gate = new();

    // Set outside the lock: a thread woken while the poster still held the lock would block on it at once and
    // need a second wake-up (measured: two context switches per request with Monitor.Wait/Pulse).
    private readonly AutoResetEvent _wake = new(initialState: false);
    private bool _idle;
    private bool _disposed;

    public DispatchThread(string name)
    {
        var thread = new Thread(Run) { IsBackground = true, Name = name };
        thread.Start();
    }

    public override void Post(SendOrPostCallback d, object? state)
    {
        ArgumentNullException.ThrowIfNull(d);
        bool wake;
        lock (_gate)
        {
            if (_disposed)
            {
                ThreadPool.UnsafeQueueUserWorkItem(static item => item.Callback(item.State), (Callback: d, State: state), preferLocal: false);
                return;
            }

            _queue.Enqueue((d, state));
            (wake, _idle) = (_idle, false);
        }

        if (wake)
        {
            _wake.Set();
        }
    }

    public override SynchronizationContext CreateCopy() => this;

    public void Dispose()
    {
        bool wake;
        lock (_gate)
        {
            _disposed = true;
            (wake, _idle) = (_idle, false);
        }

        if (wake)
        {
            _wake.Set();
        }
    }

    private void Run()
    {
        SetSynchronizationContext(this);
        try
        {
            while (true)
            {
                (SendOrPostCallback Callback, object? State) item;
                lock (_gate)
                {
                    if (!_queue.TryDequeue(out item))
                    {
                        if (_disposed)
                        {
                            return; // drained; what comes later goes to the thread pool
                        }

                        _idle = true;
                    }
                }

                if (item.Callback is null)
                {
                    _wake.WaitOne();
                    continue;
                }

                item.Callback(item.State);
            }
        }
        finally
        {
            _wake.Dispose();
        }
    }
}
