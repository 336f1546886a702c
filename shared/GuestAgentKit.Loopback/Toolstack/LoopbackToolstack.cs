using System.Globalization;
using GuestAgentKit.XenStore;
using GuestAgentKit.XenStore.Wire;
using GuestAgentKit.Xen;
using GuestAgentKit.Xen.Platform.Loopback;

namespace GuestAgentKit.Loopback.Toolstack;

/// <summary>
/// Creates and destroys loopback domains the way libxl and its domain builder do on real Xen, against any
/// xenstored on the root (embedded or Debian's real one): the builder part grants the zeroed xenstore and
/// console pages and allocates their ports for dom0; the toolstack part writes the domain's xenstore
/// home as <c>libxl__domain_make</c>/<c>libxl__build_post</c> do and introduces the domain to xenstored.
/// </summary>
public sealed class LoopbackToolstack
{
    // libxl: the domain's home is owned by dom0 and readable by the domain (roperm); the directories the
    // guest writes into are owned by the domain (rwperm).
    private static readonly string[] GuestWritableDirectories = ["device", "control", "data", "drivers", "feature", "attr", "error"];

    private readonly string _root;
    private readonly XenStoreClient _dom0;

    /// <summary>A toolstack for the loopback rooted at <paramref name="root"/>.</summary>
    /// <param name="root">The loopback root R.</param>
    /// <param name="dom0">A privileged (dom0) xenstore connection to the xenstored serving <paramref name="root"/>.</param>
    public LoopbackToolstack(string root, XenStoreClient dom0)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        ArgumentNullException.ThrowIfNull(dom0);
        _root = Path.GetFullPath(root);
        _dom0 = dom0;
    }

    /// <summary>Lists the domains whose marker exists (domain 0 excluded), by id.</summary>
    /// <param name="root">The loopback root R.</param>
    /// <returns>The domains.</returns>
    public static IReadOnlyList<LoopbackDomainEntry> ListDomains(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        root = Path.GetFullPath(root);
        var markers = Path.Combine(root, "domains");
        if (!Directory.Exists(markers))
        {
            return [];
        }

        var entries = new List<LoopbackDomainEntry>();
        foreach (var file in Directory.EnumerateFiles(markers))
        {
            if (!DomainId.TryParse(Path.GetFileName(file), out var id) || id == DomainId.Dom0)
            {
                continue; // temporary files start with '.'
            }

            if (new LoopbackDomain(root, id).ReadMarker() is { } info)
            {
                entries.Add(new LoopbackDomainEntry(id, info, GuestDirectory(root, id)));
            }
        }

        return [.. entries.OrderBy(e => e.Id.Value)];
    }

    /// <summary><c>R/guests/&lt;domid&gt;</c>.</summary>
    /// <param name="root">The loopback root R.</param>
    /// <param name="domain">The domain.</param>
    /// <returns>The directory path.</returns>
    public static string GuestDirectory(string root, DomainId domain) =>
        Path.Combine(Path.GetFullPath(root), "guests", domain.ToString());

    /// <summary>
    /// Creates a domain: picks the lowest free domid from 1, grants its zeroed xenstore page (ref 1) and
    /// primary console page (ref 0), allocates their ports for dom0, writes the marker, the domain's
    /// xenstore home and <c>/vm/&lt;uuid&gt;</c>, then sends XS_INTRODUCE (<c>@introduceDomain</c> fires).
    /// </summary>
    /// <param name="name">The domain name.</param>
    /// <param name="uuid">The domain UUID; a new one when null.</param>
    /// <param name="cancellationToken">Cancels the xenstore requests.</param>
    /// <returns>The new domain's id.</returns>
    public async Task<DomainId> CreateDomainAsync(string name, Guid? uuid = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var id = PickFreeDomainId();
        var domain = new LoopbackDomain(_root, id);
        domain.GrantReserved(GrantRef.ReservedXenStore, DomainId.Dom0).Dispose();
        domain.GrantReserved(GrantRef.ReservedConsole, DomainId.Dom0).Dispose();
        var xsPort = domain.AllocateUnboundPort(DomainId.Dom0);
        var consolePort = domain.AllocateUnboundPort(DomainId.Dom0);
        var info = new LoopbackDomainInfo(name, uuid ?? Guid.NewGuid(), xsPort, consolePort);
        domain.WriteMarker(info);
        try
        {
            await _dom0.TransactAsync(
                async (tx, ct) =>
                {
                    await WriteHomeAsync(tx, id, info, ct).ConfigureAwait(false);
                    return true;
                },
                cancellationToken: cancellationToken).ConfigureAwait(false);
            await _dom0.IntroduceAsync(id, 0, xsPort, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            RemoveDomainFiles(id);
            throw;
        }

        return id;
    }

    /// <summary>
    /// Destroys a domain as <c>libxl__destroy_domid</c> does: releases it from xenstored
    /// (<c>@releaseDomain</c> fires; its ring connection closes), removes its xenstore home, <c>/vm/&lt;uuid&gt;</c>
    /// and the backend directories dom0 serves for it, then its marker, pages and ports. The guest
    /// emulator serving it (if any) stops when it sees <c>@releaseDomain</c>.
    /// </summary>
    /// <param name="domain">The domain.</param>
    /// <param name="cancellationToken">Cancels the xenstore requests.</param>
    /// <returns>False when the domain did not exist.</returns>
    public async Task<bool> DestroyDomainAsync(DomainId domain, CancellationToken cancellationToken = default)
    {
        if (domain == DomainId.Dom0)
        {
            throw new ArgumentException("domain 0 cannot be destroyed", nameof(domain));
        }

        var info = new LoopbackDomain(_root, domain).ReadMarker();
        if (info is null)
        {
            return false;
        }

        try
        {
            await _dom0.ReleaseAsync(domain, cancellationToken).ConfigureAwait(false);
        }
        catch (XenStoreException ex) when (ex.Error == XsErrorCode.ENOENT)
        {
            // Never introduced, or a real xenstored already noticed the domain is gone.
        }

        // Any of these may be gone already, parents included (removed by hand, by a real xenstored's clean-up, or by a
        // destroy that was interrupted): gone is what destroy wants.
        await _dom0.RemoveIfPresentAsync(HomePath(domain), cancellationToken).ConfigureAwait(false);
        if (info.Uuid != Guid.Empty)
        {
            await _dom0.RemoveIfPresentAsync(VmPath(info.Uuid), cancellationToken).ConfigureAwait(false);
        }

        foreach (var type in await _dom0.DirectoryAsync("/local/domain/0/backend", cancellationToken).ConfigureAwait(false))
        {
            await _dom0.RemoveIfPresentAsync($"/local/domain/0/backend/{type}/{domain}", cancellationToken).ConfigureAwait(false);
        }

        RemoveDomainFiles(domain);
        return true;
    }

    private static string HomePath(DomainId domain) => $"/local/domain/{domain}";

    private static string VmPath(Guid uuid) => string.Create(CultureInfo.InvariantCulture, $"/vm/{uuid:D}");

    private static async Task WriteHomeAsync(XsTransaction tx, DomainId id, LoopbackDomainInfo info, CancellationToken ct)
    {
        var home = HomePath(id);
        var vm = VmPath(info.Uuid);
        XsPermission[] readOnly = [new(XsAccess.None, DomainId.Dom0), new(XsAccess.Read, id)];
        XsPermission[] guestOwned = [new(XsAccess.None, id)];

        await tx.MkdirAsync(home, ct).ConfigureAwait(false);
        await tx.SetPermissionsAsync(home, readOnly, ct).ConfigureAwait(false);
        await tx.MkdirAsync(vm, ct).ConfigureAwait(false);
        await tx.SetPermissionsAsync(vm, readOnly, ct).ConfigureAwait(false);
        await tx.WriteAsync($"{vm}/uuid", info.Uuid.ToString("D"), ct).ConfigureAwait(false);
        await tx.WriteAsync($"{vm}/name", info.Name, ct).ConfigureAwait(false);

        await tx.WriteAsync($"{home}/vm", vm, ct).ConfigureAwait(false);
        await tx.WriteAsync($"{home}/name", info.Name, ct).ConfigureAwait(false);
        await tx.WriteAsync($"{home}/domid", id.ToString(), ct).ConfigureAwait(false);
        foreach (var directory in GuestWritableDirectories)
        {
            await tx.MkdirAsync($"{home}/{directory}", ct).ConfigureAwait(false);
            await tx.SetPermissionsAsync($"{home}/{directory}", guestOwned, ct).ConfigureAwait(false);
        }

        await tx.WriteAsync($"{home}/control/shutdown", string.Empty, ct).ConfigureAwait(false);

        // libxl__build_post: where the guest's xenstore ring and primary console are. The loopback serves
        // both pages by their reserved grant refs, so ring-ref carries the grant ref, not a frame number.
        await tx.WriteAsync($"{home}/store/ring-ref", GrantRef.ReservedXenStore.ToString(), ct).ConfigureAwait(false);
        await tx.WriteAsync($"{home}/store/port", info.XenStorePort!.Value.ToString(), ct).ConfigureAwait(false);

        // The primary console is a device frontend: owned by the domain, readable by the backend (dom0).
        var console = $"{home}/console";
        await tx.MkdirAsync(console, ct).ConfigureAwait(false);
        await tx.SetPermissionsAsync(console, [new(XsAccess.None, id), new(XsAccess.Read, DomainId.Dom0)], ct).ConfigureAwait(false);
        await tx.WriteAsync($"{console}/ring-ref", GrantRef.ReservedConsole.ToString(), ct).ConfigureAwait(false);
        await tx.WriteAsync($"{console}/port", info.ConsolePort!.Value.ToString(), ct).ConfigureAwait(false);
        await tx.WriteAsync($"{console}/limit", Limits.LoopbackConsoleLimit.ToString(CultureInfo.InvariantCulture), ct).ConfigureAwait(false);
        await tx.WriteAsync($"{console}/type", "xenconsoled", ct).ConfigureAwait(false);
        await tx.WriteAsync($"{console}/output", "pty", ct).ConfigureAwait(false);
    }

    private DomainId PickFreeDomainId()
    {
        for (var value = 1; value <= Limits.LoopbackMaxDomainId; value++)
        {
            var id = new DomainId((ushort)value);
            if (!new LoopbackDomain(_root, id).Exists && !Directory.Exists(Path.Combine(_root, "grants", id.ToString())))
            {
                return id;
            }
        }

        throw new InvalidOperationException($"no free domain id on {_root}");
    }

    private void RemoveDomainFiles(DomainId domain)
    {
        new LoopbackDomain(_root, domain).RemoveMarker();
        foreach (var directory in new[] { "grants", "evtchn" })
        {
            var path = Path.Combine(_root, directory, domain.ToString());
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
    }
}
