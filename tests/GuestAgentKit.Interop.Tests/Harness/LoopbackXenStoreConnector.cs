using GuestAgentKit.Streams;
using GuestAgentKit.Xen.Platform.Loopback;
using GuestAgentKit.Xen.Rings;
using GuestAgentKit.Xen;

namespace GuestAgentKit.Interop.Tests.Harness;

/// <summary>
/// The embedded xenstored's INTRODUCE hook on the loopback, doing what the real xenstored does with
/// libxengnttab/libxenevtchn: map the domain's xenstore page (reserved grant ref 1; the frame number is
/// meaningless on the loopback, as the stand-in preload ignores it too) and bind the unbound port the domain
/// offered, as dom0. The server reads requests from and writes replies to the server end of the page.
/// </summary>
internal sealed class LoopbackXenStoreConnector(LoopbackPlatform platform)
{
    /// <summary>What <c>EmbeddedXenStoredOptions.DomainConnector</c> calls.</summary>
    public Stream Connect(DomainId domain, ulong mfn, EventChannelPort port)
    {
        _ = mfn;
        var mapping = platform.MapGrant(domain, GrantRef.ReservedXenStore);
        try
        {
            var channel = platform.BindInterdomain(domain, port);
            return new OwningStream(new RingStream(XenStoreRing.Server(mapping.Page), channel), channel, mapping);
        }
        catch
        {
            mapping.Dispose();
            throw;
        }
    }
}
