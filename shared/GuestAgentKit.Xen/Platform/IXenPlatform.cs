namespace GuestAgentKit.Xen.Platform;

/// <summary>
/// The narrow seam between GuestAgentKit and the hypervisor: what a backend in dom0 needs from Xen
/// besides xenstore. Real: <c>libxengnttab.so.1</c> + <c>libxenevtchn.so.1</c> (NativeXenPlatform).
/// Loopback: page files and FIFOs under one directory (LoopbackPlatform, docs/loopback.md).
/// </summary>
public interface IXenPlatform : IDisposable
{
    /// <summary>The domain this process acts as (0 for a dom0 backend).</summary>
    DomainId Self { get; }

    /// <summary>Maps a page that <paramref name="domain"/> granted to us, read-write.</summary>
    /// <param name="domain">The granting (frontend) domain.</param>
    /// <param name="grant">The grant reference the frontend published (e.g. the <c>ring-ref</c> node).</param>
    /// <returns>The mapping; dispose it to unmap.</returns>
    /// <exception cref="XenPlatformException">The grant cannot be mapped (no such domain or grant).</exception>
    IGrantMapping MapGrant(DomainId domain, GrantRef grant);

    /// <summary>Binds a local port to an unbound port the remote domain allocated for us.</summary>
    /// <param name="remote">The remote (frontend) domain.</param>
    /// <param name="remotePort">The port the frontend published (e.g. the <c>port</c> node).</param>
    /// <returns>The bound channel; dispose it to unbind.</returns>
    /// <exception cref="XenPlatformException">The port cannot be bound.</exception>
    IEventChannel BindInterdomain(DomainId remote, EventChannelPort remotePort);
}
