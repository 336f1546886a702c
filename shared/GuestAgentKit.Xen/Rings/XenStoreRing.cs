namespace GuestAgentKit.Xen.Rings;

/// <summary>The two ends of a domain's xenstore page (<c>struct xenstore_domain_interface</c>).</summary>
public static class XenStoreRing
{
    /// <summary>The xenstored end: reads <c>req</c>, writes <c>rsp</c>.</summary>
    /// <param name="page">The domain's mapped xenstore page.</param>
    /// <returns>The server's view.</returns>
    public static DuplexRing Server(SharedPage page) =>
        new(new RingConsumer(page, XenStoreDomainInterface.Req), new RingProducer(page, XenStoreDomainInterface.Rsp));

    /// <summary>The guest end (the xenbus driver): writes <c>req</c>, reads <c>rsp</c>.</summary>
    /// <param name="page">The domain's xenstore page.</param>
    /// <returns>The client's view.</returns>
    public static DuplexRing Client(SharedPage page) =>
        new(new RingConsumer(page, XenStoreDomainInterface.Rsp), new RingProducer(page, XenStoreDomainInterface.Req));
}
