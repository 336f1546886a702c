namespace GuestAgentKit.Xen.Rings;

/// <summary>
/// Lets several waiters (a reader and a writer of one stream) share one event channel, which allows
/// only one wait at a time, and arms that wait only for a waiter about to block. A waiter takes
/// <see cref="Next"/> BEFORE checking the ring (so an event that arrives between the check and the wait is
/// not lost), and calls <see cref="Want"/> before awaiting it; the pump waits for <see cref="Wanted"/>, then on
/// the channel, then pulses.
/// </summary>
/// <remarks>
/// Waiters continue synchronously on the thread that pulses (the stream's pump, itself already a
/// thread-pool continuation of the poller): a second hop through the thread pool per event halved ring
/// throughput on a busy machine (docs/performance.md, B1). Nothing is lost by it: while a waiter runs,
/// the pump is not waiting, and events arriving meanwhile stay pending in the channel and coalesce.
/// The channel is not armed while nobody waits (a waiter that is spinning, or busy): the peer's
/// notifications then stay pending in the channel instead of waking the poller and the pump for nothing,
/// and the next wait drains them (one spurious pulse at most).
/// </remarks>
internal sealed class EventPulse
{
    [ThreadStatic]
    private static bool t_pulsing;

    private TaskCompletionSource _next = new();
    private TaskCompletionSource _wanted = new();

    /// <summary>True on a thread that is running waiters from inside <see cref="Pulse"/>: a waiter there holds
    /// up the pump and the other waiters until it awaits, so it must not spin there.</summary>
    public static bool IsPulsing => t_pulsing;

    /// <summary>Completes at the next <see cref="Pulse"/> (or faults at <see cref="Fail"/>).</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    /// <summary>For the pump: completes at the next <see cref="Want"/>.</summary>
    public Task Wanted => Volatile.Read(ref _wanted).Task;

    /// <summary>A waiter that took <see cref="Next"/> and found nothing is about to await it: arm the channel.</summary>
    public void Want() => Volatile.Read(ref _wanted).TrySetResult();

    /// <summary>For the pump, before it waits on the channel: a later <see cref="Want"/> arms it once more.</summary>
    /// <returns>The new <see cref="Wanted"/>.</returns>
    public Task RenewWanted()
    {
        var renewed = new TaskCompletionSource();
        Volatile.Write(ref _wanted, renewed);
        return renewed.Task;
    }

    public void Pulse()
    {
        var outer = t_pulsing;
        t_pulsing = true;
        try
        {
            Interlocked.Exchange(ref _next, new TaskCompletionSource()).TrySetResult();
        }
        finally
        {
            t_pulsing = outer;
        }
    }

    /// <summary>Faults the current and every later wait.</summary>
    public void Fail(Exception error) => Volatile.Read(ref _next).TrySetException(error);
}
