using GuestAgentKit.Posix;

namespace GuestAgentKit.Xen.Platform.Loopback;

/// <summary>
/// The frontend half of the loopback Xen: what a guest kernel (or the toolstack on its behalf) does
/// for domain <see cref="Id"/> — announce the domain with its marker, grant zeroed pages, and
/// allocate unbound event channel ports for a backend to bind (docs/loopback.md).
/// </summary>
public sealed class LoopbackDomain
{
    private readonly LoopbackPaths _paths;
    private readonly FdPoller _poller;

    /// <summary>Acts as the guest side of <paramref name="id"/> on the loopback rooted at <paramref name="root"/>.</summary>
    /// <param name="root">The loopback root directory <c>R</c>.</param>
    /// <param name="id">The domain.</param>
    /// <param name="poller">The poller for event channel waits; <see cref="FdPoller.Shared"/> when null.</param>
    public LoopbackDomain(string root, DomainId id, FdPoller? poller = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        _paths = new LoopbackPaths(Path.GetFullPath(root));
        _poller = poller ?? FdPoller.Shared;
        Id = id;
    }

    /// <summary>The domain.</summary>
    public DomainId Id { get; }

    /// <summary>True while the domain's marker exists.</summary>
    public bool Exists => File.Exists(_paths.Domain(Id));

    /// <summary>Creates or replaces the domain marker: from now on the domain exists.</summary>
    /// <param name="info">What the marker says.</param>
    public void WriteMarker(LoopbackDomainInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        var path = _paths.Domain(Id);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        LoopbackPaths.WriteAtomically(path, info.Format());
    }

    /// <summary>Reads the domain marker.</summary>
    /// <returns>The marker's contents, or null when the domain does not exist.</returns>
    public LoopbackDomainInfo? ReadMarker() =>
        LoopbackPaths.TryReadText(_paths.Domain(Id)) is { } text ? LoopbackDomainInfo.Parse(text) : null;

    /// <summary>Removes the domain marker (domain destroyed). Grants and ports are removed by their owners.</summary>
    public void RemoveMarker() => File.Delete(_paths.Domain(Id));

    /// <summary>
    /// Grants a fresh zeroed page (<c>gnttab_grant_foreign_access</c>) at the lowest free reference from
    /// <see cref="GrantRef.FirstFree"/>, allocated by exclusive create. The loopback does not enforce
    /// <paramref name="grantee"/>: any process under the root can map the page.
    /// </summary>
    /// <param name="grantee">The domain meant to map it (usually the backend, dom0).</param>
    /// <returns>The reference to publish (e.g. as <c>ring-ref</c>) and our own mapping of the page.</returns>
    public (GrantRef Ref, IGrantMapping Mapping) GrantPage(DomainId grantee)
    {
        Directory.CreateDirectory(_paths.Grants(Id));
        for (var value = GrantRef.FirstFree; value < Limits.LoopbackGrantRefs; value++)
        {
            var grant = new GrantRef(value);
            var path = _paths.Grant(Id, grant);
            if (File.Exists(path))
            {
                continue;
            }

            FileStream stream;
            try
            {
                stream = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
            }
            catch (IOException) when (File.Exists(path))
            {
                continue; // another process took this reference between the check and the create
            }

            return (grant, CreatePage(stream, grant, grantee));
        }

        throw new XenPlatformException($"domain {Id} has no free grant reference for domain {grantee} (limit {Limits.LoopbackGrantRefs})");
    }

    /// <summary>
    /// Grants a zeroed page at a reserved reference (<see cref="GrantRef.ReservedConsole"/> or
    /// <see cref="GrantRef.ReservedXenStore"/>), replacing any earlier page there, as the domain builder does.
    /// </summary>
    /// <param name="grant">The reserved reference (below <see cref="GrantRef.FirstFree"/>).</param>
    /// <param name="grantee">The domain meant to map it.</param>
    /// <returns>Our own mapping of the page.</returns>
    public IGrantMapping GrantReserved(GrantRef grant, DomainId grantee)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(grant.Value, GrantRef.FirstFree, nameof(grant));
        Directory.CreateDirectory(_paths.Grants(Id));
        var path = _paths.Grant(Id, grant);
        File.Delete(path); // a mapper of the old page keeps it; the new one starts zeroed
        var stream = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        return CreatePage(stream, grant, grantee);
    }

    /// <summary>Revokes a grant (<c>gnttab_end_foreign_access</c>): removes its page file. Existing mappings stay valid.</summary>
    /// <param name="grant">The reference to free.</param>
    public void EndGrant(GrantRef grant) => File.Delete(_paths.Grant(Id, grant));

    /// <summary>
    /// Allocates an unbound port for <paramref name="remote"/> to bind (<c>EVTCHNOP_alloc_unbound</c>).
    /// Notifications go nowhere until the remote binds; after it binds (or re-binds from a new port after
    /// a restart) they reach it.
    /// </summary>
    /// <param name="remote">The domain allowed to bind (usually the backend, dom0).</param>
    /// <returns>Our end of the channel; dispose it to close the port.</returns>
    public IEventChannel AllocateUnbound(DomainId remote)
    {
        var channel = LoopbackEventChannel.Allocate(_paths, Id, _poller, onDisposed: null);
        try
        {
            LoopbackPaths.WriteAtomically(_paths.Unbound(Id, channel.LocalPort), $"{remote}\n");
        }
        catch
        {
            channel.Dispose();
            throw;
        }

        return channel;
    }

    /// <summary>
    /// Allocates an unbound port for <paramref name="remote"/> on behalf of the domain and leaves it
    /// allocated without holding it, as a domain builder does for the ports it hands to the guest kernel
    /// (which takes them over with <see cref="OpenPort"/>). <see cref="ClosePort"/> frees it.
    /// </summary>
    /// <param name="remote">The domain allowed to bind (usually dom0).</param>
    /// <returns>The port number.</returns>
    public EventChannelPort AllocateUnboundPort(DomainId remote)
    {
        var channel = (LoopbackEventChannel)AllocateUnbound(remote);
        channel.Detach();
        return channel.LocalPort;
    }

    /// <summary>Takes over a port of this domain allocated earlier (<see cref="AllocateUnboundPort"/>).</summary>
    /// <param name="port">The port.</param>
    /// <returns>Our end of the channel; dispose it to close the port (its files go).</returns>
    /// <exception cref="XenPlatformException">The port does not exist.</exception>
    public IEventChannel OpenPort(EventChannelPort port) => LoopbackEventChannel.Adopt(_paths, Id, port, _poller);

    /// <summary>Frees a port nobody holds (its FIFO, <c>.peer</c> and <c>.unbound</c> files).</summary>
    /// <param name="port">The port.</param>
    public void ClosePort(EventChannelPort port)
    {
        File.Delete(_paths.Port(Id, port));
        File.Delete(_paths.Peer(Id, port));
        File.Delete(_paths.Unbound(Id, port));
    }

    private static LoopbackGrantMapping CreatePage(FileStream stream, GrantRef grant, DomainId grantee)
    {
        // A new file of this length reads as zeros: the zeroed page hvc_xen allocates.
        stream.SetLength(SharedPage.Size);
        return LoopbackGrantMapping.Map(stream, $"grant {grant} for domain {grantee}");
    }
}
