namespace GuestAgentKit.Xen.Rings;

/// <summary>
/// Layout of <c>struct xenstore_domain_interface</c> (xen/include/public/io/xs_wire.h): a domain's
/// xenstore page with the request ring <c>req</c> (guest to xenstored) and the response ring
/// <c>rsp</c> (replies and watch events), <c>XENSTORE_RING_SIZE</c> = 1024 each, u32 indices masked
/// by <c>MASK_XENSTORE_IDX</c>.
/// </summary>
public static class XenStoreDomainInterface
{
    /// <summary><c>XENSTORE_RING_SIZE</c>.</summary>
    public const int RingSize = 1024;

    /// <summary>Offset of <c>char req[XENSTORE_RING_SIZE]</c>.</summary>
    public const int ReqOffset = 0;

    /// <summary>Offset of <c>char rsp[XENSTORE_RING_SIZE]</c>.</summary>
    public const int RspOffset = 1024;

    /// <summary>Offset of <c>req_cons</c>.</summary>
    public const int ReqConsOffset = 2048;

    /// <summary>Offset of <c>req_prod</c>.</summary>
    public const int ReqProdOffset = 2052;

    /// <summary>Offset of <c>rsp_cons</c>.</summary>
    public const int RspConsOffset = 2056;

    /// <summary>Offset of <c>rsp_prod</c>.</summary>
    public const int RspProdOffset = 2060;

    /// <summary>Offset of <c>uint32_t server_features</c> (bitmap, e.g. <c>XENSTORE_SERVER_FEATURE_RECONNECTION</c>).</summary>
    public const int ServerFeaturesOffset = 2064;

    /// <summary>Offset of <c>uint32_t connection</c> (<c>XENSTORE_CONNECTED</c> 0, <c>XENSTORE_RECONNECT</c> 1).</summary>
    public const int ConnectionOffset = 2068;

    /// <summary>Offset of <c>uint32_t error</c> (<c>XENSTORE_ERROR_*</c>).</summary>
    public const int ErrorOffset = 2072;

    /// <summary>The <c>req</c> ring: written by the guest, read by xenstored.</summary>
    public static RingLayout Req { get; } = new("req", ReqOffset, RingSize, ReqConsOffset, ReqProdOffset);

    /// <summary>The <c>rsp</c> ring: written by xenstored, read by the guest.</summary>
    public static RingLayout Rsp { get; } = new("rsp", RspOffset, RingSize, RspConsOffset, RspProdOffset);
}
