namespace GuestAgentKit;

public static partial class Limits
{
    /// <summary>
    /// Highest channel devid we provision: Linux hvc_xen takes the devid from the LAST character of the
    /// xenbus node name (<c>devid = dev-&gt;nodename[strlen(dev-&gt;nodename) - 1] - '0'</c>), so
    /// <c>console/10</c> would be taken for console 0. Devid 0 is the domain's ordinary console.
    /// </summary>
    public const int ChannelMaxDevid = 9;

    /// <summary>The frontend <c>limit</c> node libxl writes (<c>LIBXL_XENCONSOLE_LIMIT</c>, libxl_internal.h).</summary>
    public const int XenConsoleLimit = 1048576;

    /// <summary>Default per-channel rate limit, bytes per second in both directions together. xenconsoled
    /// allows 30 events per 200 ms (at most ~2 KiB each, ~300 KiB/s); this is ~200 times that.</summary>
    public const long BackendDefaultBytesPerSecond = 64L * 1024 * 1024;

    /// <summary>Default per-channel burst: bytes a channel may move at once after being idle.</summary>
    public const long BackendDefaultBurstBytes = 1024 * 1024;

    /// <summary>Default per-channel event budget per second (wake-ups from the guest's event channel).
    /// xenconsoled allows 150/s; this is 100 times that, and a guest spinning notifications beyond it is
    /// simply served later — its events coalesce, none is lost.</summary>
    public const int BackendDefaultEventsPerSecond = 15000;

    /// <summary>Clients that connected after earlier ones hung up, waiting while the backend drains what the
    /// earlier ones sent (a newcomer is refused only while an earlier client is still connected).</summary>
    public const int BackendDepartedClients = 64;

    /// <summary>Listen backlog of each channel socket: connections the kernel queues before the backend accepts
    /// them. As deep as <see cref="BackendDepartedClients"/>, so a burst of quick reconnects waits in the kernel
    /// instead of failing with EAGAIN (what a non-blocking Unix-socket connect returns on a full backlog).</summary>
    public const int BackendListenBacklog = BackendDepartedClients;

    /// <summary>The longest refusal line written to a second client before it is closed.</summary>
    public const int BackendRefusalMaxBytes = 256;
}
