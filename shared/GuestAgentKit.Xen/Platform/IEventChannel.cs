namespace GuestAgentKit.Xen.Platform;

/// <summary>
/// One bound event channel. Events are level-less and coalesce, as in Xen: any number of
/// notifications before a wait completes count as one.
/// </summary>
public interface IEventChannel : IDisposable
{
    /// <summary>Our end's port.</summary>
    EventChannelPort LocalPort { get; }

    /// <summary>Signals the remote end. Never blocks; a notification to a peer that is gone is dropped.</summary>
    void Notify();

    /// <summary>
    /// Completes when an event is pending (consuming it), without polling and without a thread per channel.
    /// One wait at a time per channel; share a channel between a reader and a writer through one waiter
    /// (as <c>RingStream</c> does).
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait only; the channel stays usable.</param>
    /// <returns>A task that completes when an event arrived.</returns>
    /// <exception cref="ObjectDisposedException">The channel was unbound.</exception>
    ValueTask WaitAsync(CancellationToken cancellationToken);
}
