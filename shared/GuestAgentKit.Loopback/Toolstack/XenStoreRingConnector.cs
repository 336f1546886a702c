using GuestAgentKit.Streams;
using GuestAgentKit.Xen.Platform.Loopback;
using GuestAgentKit.Xen.Platform;
using GuestAgentKit.Xen.Rings;
using GuestAgentKit.Xen;

namespace GuestAgentKit.Loopback.Toolstack;

/// <summary>
/// What the embedded xenstored does on XS_INTRODUCE on the loopback (<c>EmbeddedXenStoredOptions.DomainConnector</c>):
/// map the domain's xenstore page (grant ref 1, <c>GNTTAB_RESERVED_XENSTORE</c>: the loopback serves it
/// whatever frame number the toolstack passed, as the test preload does for the C daemons), bind the
/// port the domain allocated for us, and serve the server end of the ring. Disposing the stream (the
/// server does when the domain is released) unbinds and unmaps.
/// </summary>
internal static class XenStoreRingConnector
{
    /// <summary>Connects domain <paramref name="domain"/>'s xenstore ring as dom0.</summary>
    /// <exception cref="IOException">The domain, its page or its port does not exist (the server answers EIO).</exception>
    public static Stream Connect(LoopbackPlatform dom0, DomainId domain, EventChannelPort port)
    {
        IGrantMapping? mapping = null;
        try
        {
            mapping = dom0.MapGrant(domain, GrantRef.ReservedXenStore);
            var channel = dom0.BindInterdomain(domain, port);
            return new OwningStream(new RingStream(XenStoreRing.Server(mapping.Page), channel), channel, mapping);
        }
        catch (XenPlatformException ex)
        {
            mapping?.Dispose();
            throw new IOException($"cannot connect the xenstore ring of domain {domain}: {ex.Message}", ex);
        }
    }
}
