namespace GuestAgentKit.Xen.Rings;

/// <summary>
/// Layout of <c>struct xencons_interface</c> (xen/include/public/io/console.h): one page holding the
/// backend-to-guest ring <c>in</c> and the guest-to-backend ring <c>out</c>, each with free-running
/// <c>XENCONS_RING_IDX</c> (u32) indices masked by <c>MASK_XENCONS_IDX(idx, ring)</c>.
/// </summary>
public static class XenConsInterface
{
    /// <summary>Offset of <c>char in[1024]</c>.</summary>
    public const int InOffset = 0;

    /// <summary><c>sizeof(in)</c>.</summary>
    public const int InSize = 1024;

    /// <summary>Offset of <c>char out[2048]</c>.</summary>
    public const int OutOffset = 1024;

    /// <summary><c>sizeof(out)</c>.</summary>
    public const int OutSize = 2048;

    /// <summary>Offset of <c>in_cons</c>.</summary>
    public const int InConsOffset = 3072;

    /// <summary>Offset of <c>in_prod</c>.</summary>
    public const int InProdOffset = 3076;

    /// <summary>Offset of <c>out_cons</c>.</summary>
    public const int OutConsOffset = 3080;

    /// <summary>Offset of <c>out_prod</c>.</summary>
    public const int OutProdOffset = 3084;

    /// <summary>
    /// Offset of <c>uint8_t connection</c> (added to console.h in 2025; absent from Xen 4.17 headers):
    /// 0 connected, 1 disconnected, so a zeroed page reads "connected".
    /// </summary>
    public const int ConnectionOffset = 3088;

    /// <summary>The <c>in</c> ring: written by the backend, read by the guest.</summary>
    public static RingLayout In { get; } = new("in", InOffset, InSize, InConsOffset, InProdOffset);

    /// <summary>The <c>out</c> ring: written by the guest, read by the backend.</summary>
    public static RingLayout Out { get; } = new("out", OutOffset, OutSize, OutConsOffset, OutProdOffset);
}
