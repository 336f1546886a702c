namespace GuestAgentKit;

public static partial class Limits
{
    /// <summary>Wait before the first retry after a channel device failed to open or a session ended at once.</summary>
    public static readonly TimeSpan ChannelReopenInitialDelay = TimeSpan.FromMilliseconds(200);

    /// <summary>Upper bound of the doubling reopen delay: after a resume the agent is back within this.</summary>
    public static readonly TimeSpan ChannelReopenMaximumDelay = TimeSpan.FromSeconds(10);

    /// <summary>A session that lasted at least this long resets the reopen backoff.</summary>
    public static readonly TimeSpan ChannelStableSession = TimeSpan.FromSeconds(30);
}
