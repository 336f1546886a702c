namespace GuestAgentKit.Host.Backend;

/// <summary>Level-less wake-ups that coalesce: take <see cref="Next"/> BEFORE looking for work, so a wake-up
/// between the look and the wait is not lost.</summary>
/// <param name="inline">True: the waiter continues on the thread that calls <see cref="Set"/> (one thread hop
/// fewer per event, for a waiter whose wake-ups come from its own pumps); false: on the thread pool.</param>
internal sealed class WakeSignal(bool inline = false)
{
    private TaskCompletionSource _next = New(inline);

    public Task Next => Volatile.Read(ref _next).Task;

    public void Set() => Interlocked.Exchange(ref _next, New(inline)).TrySetResult();

    private static TaskCompletionSource New(bool inline) =>
        new(inline ? TaskCreationOptions.None : TaskCreationOptions.RunContinuationsAsynchronously);
}
