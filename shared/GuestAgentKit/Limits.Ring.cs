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

    /// <summary>
    /// The longest a ring waiter spins (re-reading the peer's index) before it blocks on the event channel:
    /// each blocking wake-up costs an idle-state exit and a context switch or two (~23 us here), so while the
    /// peer is active a short spin moves 2 KiB per few microseconds instead (docs/performance.md, B1). 50 us
    /// is what took the C ring copier from ~37 MiB/s to GB/s on an idle box.
    /// </summary>
    public static readonly TimeSpan RingSpin = TimeSpan.FromMicroseconds(50);

    /// <summary>
    /// A waiter spins only if it moved bytes this recently: an idle channel never spins, so idle costs no CPU.
    /// </summary>
    public static readonly TimeSpan RingSpinAfterActivity = TimeSpan.FromMilliseconds(1);

    /// <summary>
    /// After spins that caught nothing (the peer is slow, or starved of a core on a busy box), a waiter blocks
    /// without spinning for the next 1, 3, 7 ... waits, up to this many, until a spin catches the peer again:
    /// a spinner must not keep burning the slice its peer needs, and a guest cannot make dom0 spin for nothing
    /// on every wake-up it is allowed.
    /// </summary>
    public const int RingSpinBackoffMaxWaits = 63;
}
