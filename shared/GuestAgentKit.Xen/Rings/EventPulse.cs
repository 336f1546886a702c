namespace GuestAgentKit.Xen.Rings;

/// <summary>
/// Lets several waiters (a reader and a writer of one stream) share one event channel, which allows
/// only one wait at a time. Take <see cref="Next"/> BEFORE checking the ring, so an event that arrives
/// between the check and the wait is not lost.
/// </summary>
internal sealed class EventPulse
{
    private TaskCompletionSource _next = NewSource();

    /// <summary>Completes at the next <see cref="Pulse"/> (or faults at <see cref="Fail"/>).</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    public void Pulse() => Interlocked.Exchange(ref _next, NewSource()).TrySetResult();

    /// <summary>Faults the current and every later wait.</summary>
    public void Fail(Exception error) => Volatile.Read(ref _next).TrySetException(error);

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
