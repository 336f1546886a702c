namespace GuestAgentKit;

public static partial class Limits
{
    /// <summary>How long <see cref="Posix.UnixSocket.ConnectAsync"/> keeps retrying a listener whose backlog is full
    /// (<c>EAGAIN</c>) before it reports it: long enough for a daemon that is merely busy (oxenstored's backlog
    /// fills under a burst of clients), short enough to report one that stopped accepting.</summary>
    public static readonly TimeSpan UnixSocketBusyTimeout = TimeSpan.FromSeconds(10);
}
