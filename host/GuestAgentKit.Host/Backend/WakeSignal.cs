namespace GuestAgentKit.Host.Backend;

/// <summary>Level-less wake-ups that coalesce: take <see cref="Next"/> BEFORE looking for work, so a wake-up
/// between the look and the wait is not lost.</summary>
internal sealed class WakeSignal
{
    private TaskCompletionSource _next = New();

    public Task Next => Volatile.Read(ref _next).Task;

    public void Set() => Interlocked.Exchange(ref _next, New()).TrySetResult();

    private static TaskCompletionSource New() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
