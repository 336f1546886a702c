namespace GuestAgentKit.Protocol;

/// <summary>Something other than a JSON-RPC message arrived while a session was running.</summary>
internal enum ChannelLineEvent
{
    /// <summary>A resync marker: dom0 starts a new session.</summary>
    Marker,

    /// <summary>A line over the cap was discarded.</summary>
    Oversized,

    /// <summary>A line within the cap is not a JSON-RPC message.</summary>
    Unparsable,
}
