namespace GuestAgentKit;

/// <summary>Bounds of the loopback Xen's toolstack and guest kernel emulator.</summary>
public static partial class Limits
{
    /// <summary>Highest domain id the loopback toolstack hands out (libxl's range ends at DOMID_FIRST_RESERVED - 1).</summary>
    public const int LoopbackMaxDomainId = 0x7FEF;

    /// <summary>
    /// Replies and watch events queued for one process on a loopback guest's xenbus socket before the
    /// emulator gives up on it and closes its connection (a process that never reads must not stall the
    /// domain's xenstore ring for everyone else).
    /// </summary>
    public const int LoopbackXenbusQueuedMessages = 1024;

    /// <summary>hvc lines of the emulated guest: /dev/hvc0..hvc7, as Linux's hvc_xen has (MAX_NR_HVC_CONSOLES).</summary>
    public const int LoopbackHvcLines = 8;

    /// <summary>Bytes one console pump moves per step (one ring holds at most 2 KiB anyway).</summary>
    public const int LoopbackConsoleChunk = 4096;

    /// <summary>The <c>console/limit</c> libxl writes for the primary console (LIBXL_XENCONSOLE_LIMIT).</summary>
    public const int LoopbackConsoleLimit = 1048576;

    /// <summary>How long tearing down a loopback waits for xenstore to destroy one domain.</summary>
    public static readonly TimeSpan LoopbackShutdownTimeout = TimeSpan.FromSeconds(5);
}
