using GuestAgentKit.Posix;
using GuestAgentKit.Xen;
using GuestAgentKit.Xen.Platform.Loopback;

namespace GuestAgentKit.Tests.Xen;

/// <summary>dom0's loopback platform and one guest domain on a private root, sharing one poller.</summary>
internal sealed class LoopbackPeers : IDisposable
{
    public LoopbackPeers(string pollerName)
    {
        Poller = new FdPoller(pollerName);
        Dom0 = new LoopbackPlatform(Root.Path, DomainId.Dom0, Poller);
        Guest = new LoopbackDomain(Root.Path, LoopbackRoot.Guest1, Poller);
    }

    public LoopbackRoot Root { get; } = new();

    public FdPoller Poller { get; }

    public LoopbackPlatform Dom0 { get; }

    public LoopbackDomain Guest { get; }

    public void Dispose()
    {
        Dom0.Dispose();
        Poller.Dispose();
        Root.Dispose();
    }
}
