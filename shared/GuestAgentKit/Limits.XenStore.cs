namespace GuestAgentKit;

public static partial class Limits
{
    /// <summary>Largest xenstore payload after the 16-byte header (<c>XENSTORE_PAYLOAD_MAX</c>, xs_wire.h).
    /// A peer announcing more gets its connection killed.</summary>
    public const int XenStorePayloadMax = 4096;

    /// <summary>Longest absolute xenstore path (<c>XENSTORE_ABS_PATH_MAX</c>, xs_wire.h).</summary>
    public const int XenStoreAbsolutePathMax = 3072;

    /// <summary>Longest relative xenstore path (<c>XENSTORE_REL_PATH_MAX</c>, xs_wire.h).</summary>
    public const int XenStoreRelativePathMax = 2048;

    /// <summary>How many times <c>TransactAsync</c> runs its body before giving up on EAGAIN conflicts.</summary>
    public const int XenStoreTransactMaxAttempts = 16;

    /// <summary>How long disposing a watch or an unfinished transaction waits for xenstored to acknowledge the
    /// UNWATCH / TRANSACTION_END(F). A daemon that never answers (a connection of a released domain) must not
    /// hang the caller's dispose; past this the request is abandoned.</summary>
    public static readonly TimeSpan XenStoreCleanupTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Delay between reconnect attempts of a reconnecting xenstore client.</summary>
    public static readonly TimeSpan XenStoreReconnectDelay = TimeSpan.FromMilliseconds(200);

    /// <summary>Embedded xenstored: nodes an unprivileged domain may own (C xenstored <c>quota_nb_entry_per_domain</c> default).</summary>
    public const int XenStoredNodesPerDomain = 1000;

    /// <summary>Embedded xenstored: watches per unprivileged connection (C default <c>quota_nb_watch_per_domain</c>).</summary>
    public const int XenStoredWatchesPerDomain = 128;

    /// <summary>Embedded xenstored: requests read but not yet answered per connection (C default <c>quota_req_outstanding</c>).
    /// The server stops reading a connection at this bound.</summary>
    public const int XenStoredOutstandingRequests = 20;

    /// <summary>Embedded xenstored: open transactions per unprivileged connection (C default <c>quota_max_transaction</c>).</summary>
    public const int XenStoredTransactionsPerDomain = 10;

    /// <summary>Embedded xenstored: largest node value an unprivileged domain may write (C default <c>quota_max_entry_size</c>).</summary>
    public const int XenStoredNodeSize = 2048;

    /// <summary>Embedded xenstored: permission entries per node for unprivileged domains (C default <c>quota_nb_perms_per_node</c>).</summary>
    public const int XenStoredPermsPerNode = 5;

    /// <summary>Embedded xenstored: path length below <c>/local/domain/&lt;id&gt;/</c> (C default <c>quota_max_path_len</c>).</summary>
    public const int XenStoredPathLength = 2048;

    /// <summary>Embedded xenstored: replies and watch events queued for a connection that does not read them;
    /// beyond this the connection is killed rather than growing memory without bound.</summary>
    public const int XenStoredQueuedOutputMax = 8192;
}
