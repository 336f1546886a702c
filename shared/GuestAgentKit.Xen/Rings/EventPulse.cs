namespace GuestAgentKit.Xen.Rings;

/// <summary>
/// Lets several waiters (a reader and a writer of one stream) share one event channel, which allows
/// only one wait at a time. Take <see cref="Next"/> BEFORE checking the ring, so an event that arrives
/// between the check and the wait is not lost.
/// </summary>
/// <remarks>
/// Waiters continue synchronously on the thread that pulses (the stream's pump, itself already a
/// thread-pool continuation of the poller): a second hop through the thread pool per event halved ring
/// throughput on a busy machine (docs/performance.md, B1). Nothing is lost by it: while a waiter runs,
/// the pump is not waiting, and events arriving meanwhile stay pending in the channel and coalesce.
/// </remarks>
internal sealed class EventPulse
{
    private TaskCompletionSource _next = new();

    /// <summary>Completes at the next <see cref="Pulse"/> (or faults at <see cref="Fail"/>).</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    public void Pulse() => Interlocked.Exchange(ref _next, new TaskCompletionSource()).TrySetResult();

    /// <summary>Faults the current and every later wait.</summary>
    public void Fail(Exception error) => Volatile.Read(ref _next).TrySetException(error);
}
