namespace GuestAgentKit.XenStore;

/// <summary>Options of a <see cref="XenStoreClient"/>.</summary>
public sealed class XenStoreClientOptions
{
    /// <summary>When set, a dropped connection is re-established to this endpoint (requests pending at the
    /// drop still fail) and every open watch is registered again. Null: a drop closes the client for good.</summary>
    public XenStoreEndpoint? Reconnect { get; init; }
}
