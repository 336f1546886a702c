using GuestAgentKit.Xen;
using GuestAgentKit.Xen.Platform;

namespace GuestAgentKit.Tests.Fuzz;

/// <summary>A real event channel that counts the waits its user starts: a consumer that spins starts waits (or ring checks) without events.</summary>
internal sealed class CountingEventChannel(IEventChannel inner) : IEventChannel
{
    private long _waits;

    public long Waits => Interlocked.Read(ref _waits);

    public EventChannelPort LocalPort => inner.LocalPort;

    public void Notify() => inner.Notify();

    public ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _waits);
        return inner.WaitAsync(cancellationToken);
    }

    public void Dispose() => inner.Dispose();
}
