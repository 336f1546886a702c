namespace GuestAgentKit;

public static partial class Limits
{
    /// <summary>
    /// Event channel ports a loopback domain may allocate (ports 1 up to this). Matches the 2-level
    /// event channel ABI of Xen on 64-bit hosts (<c>EVTCHN_2L_NR_CHANNELS</c> = 64 * 64).
    /// </summary>
    public const int LoopbackEventChannelPorts = 4096;

    /// <summary>
    /// Grant references a loopback domain may create (refs below this). Xen's default grant table is
    /// 64 frames of 512 v1 entries (<c>max_grant_frames</c> = 64).
    /// </summary>
    public const int LoopbackGrantRefs = 64 * 512;
}
