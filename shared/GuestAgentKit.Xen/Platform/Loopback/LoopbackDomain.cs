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

    private static LoopbackGrantMapping CreatePage(FileStream stream, GrantRef grant, DomainId grantee)
    {
        // A new file of this length reads as zeros: the zeroed page hvc_xen allocates.
        stream.SetLength(SharedPage.Size);
        return LoopbackGrantMapping.Map(stream, $"grant {grant} for domain {grantee}");
    }
}
