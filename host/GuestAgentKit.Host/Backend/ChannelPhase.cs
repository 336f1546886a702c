namespace GuestAgentKit.Host.Backend;

/// <summary>Where the backend is with one console.</summary>
internal enum ChannelPhase
{
    /// <summary>Discovered; InitWait not yet written.</summary>
    New,

    /// <summary>InitWait written; waiting for the frontend to reach Initialised (or Connected on reattach).</summary>
    Waiting,

    /// <summary>Ring mapped, event channel bound, proxy running.</summary>
    Connected,

    /// <summary>Closed because the frontend closed; served again when it re-initialises.</summary>
    Closed,

    /// <summary>Closed because the frontend misbehaved (bad ring, bad ring-ref/port): not served again by this process.</summary>
    Failed,
}
