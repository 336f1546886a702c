using System.Globalization;
using GuestAgentKit.Channels.Xl;
using GuestAgentKit.Xen;
using GuestAgentKit.XenStore;
using GuestAgentKit.XenStore.Wire;

namespace GuestAgentKit.Host.Provisioning;

/// <summary>
/// Adds, lists and removes channels of running domains in xenstore, writing the same nodes with the same
/// permissions as libxl (tools/libs/light/libxl_console.c <c>libxl__device_console_add</c>, libxl_device.c
/// <c>libxl__device_generic_add</c>), except that the frontend <c>type</c> is
/// <see cref="ChannelPaths.ChannelBackendType"/> so QEMU and xenconsoled leave the console to our backend.
/// libxl's private <c>/libxl/&lt;D&gt;/device/console/&lt;N&gt;</c> bookkeeping is not written: it belongs to libxl.
/// </summary>
public sealed class ChannelProvisioner
{
    private readonly XenStoreClient _xs;

    /// <summary>Works through a privileged (dom0) xenstore connection.</summary>
    /// <param name="xenStore">The connection; not owned.</param>
    public ChannelProvisioner(XenStoreClient xenStore)
    {
        ArgumentNullException.ThrowIfNull(xenStore);
        _xs = xenStore;
    }

    /// <summary>Resolves a domain given as a domid or as a name (<c>/local/domain/*/name</c>), as xl does.</summary>
    /// <param name="domain">A domid or domain name.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>The domain id.</returns>
    /// <exception cref="ChannelProvisioningException">No such domain, or the name is ambiguous.</exception>
    public async Task<DomainId> ResolveDomainAsync(string domain, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(domain);
        if (DomainId.TryParse(domain, out var id))
        {
            return await _xs.ReadAsync(ChannelPaths.Domain(id), cancellationToken).ConfigureAwait(false) is not null
                ? id
                : throw new ChannelProvisioningException($"domain {id} does not exist (no {ChannelPaths.Domain(id)} in xenstore)");
        }

        var matches = new List<DomainId>();
        foreach (var entry in await _xs.DirectoryAsync("/local/domain", cancellationToken).ConfigureAwait(false))
        {
            if (DomainId.TryParse(entry, out var candidate)
                && await _xs.ReadAsync(ChannelPaths.Domain(candidate) + "/name", cancellationToken).ConfigureAwait(false) == domain)
            {
                matches.Add(candidate);
            }
        }

        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new ChannelProvisioningException($"no domain is named \"{domain}\" (looked at /local/domain/*/name)"),
            _ => throw new ChannelProvisioningException(
                $"{matches.Count} domains are named \"{domain}\" ({string.Join(", ", matches)}): give the domid"),
        };
    }

    /// <summary>
    /// Adds one channel at the lowest free devid from 1, in one transaction: backend directory
    /// <c>/local/domain/&lt;B&gt;/backend/console/&lt;D&gt;/&lt;N&gt;</c> (owner B, D may read) and frontend directory
    /// <c>/local/domain/&lt;D&gt;/device/console/&lt;N&gt;</c> (owner D, B may read) whose <c>name</c>, <c>limit</c>,
    /// <c>type</c>, <c>output</c>, <c>tty</c> are owned by B (read-only to the guest).
    /// </summary>
    /// <param name="domain">The frontend domain.</param>
    /// <param name="spec">The channel.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The channel as written.</returns>
    /// <exception cref="ChannelProvisioningException">Duplicate name, no free devid, no such domain, or the transaction
    /// conflicted with concurrent changes on every attempt (nothing written).</exception>
    public async Task<ChannelInfo> AddAsync(DomainId domain, XlChannelSpec spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var backend = spec.Backend is null ? DomainId.Dom0 : await ResolveDomainAsync(spec.Backend, cancellationToken).ConfigureAwait(false);
        if (await _xs.ReadAsync(ChannelPaths.Domain(domain), cancellationToken).ConfigureAwait(false) is null)
        {
            throw new ChannelProvisioningException($"domain {domain} does not exist (no {ChannelPaths.Domain(domain)} in xenstore)");
        }

        // Creating the domain's backend directory inside the transaction would change /local/domain/<B>/backend/console,
        // which every first add into any domain touches: concurrent adds into different domains would all conflict.
        // MKDIR of an existing node succeeds, and an empty directory there is what libxl leaves after a hot-unplug.
        await _xs.MkdirAsync(ChannelPaths.BackendRoot(backend) + "/" + domain, cancellationToken).ConfigureAwait(false);
        var devid = await TransactAsync(
            $"add channel \"{spec.Name}\" to domain {domain}",
            (tx, ct) => WriteChannelAsync(tx, domain, backend, spec, ct),
            cancellationToken).ConfigureAwait(false);
        return await GetAsync(domain, devid, cancellationToken).ConfigureAwait(false)
            ?? throw new ChannelProvisioningException($"channel {devid} of domain {domain} vanished right after it was written");
    }

    /// <summary>Lists the named consoles (channels) of a domain, in devid order.</summary>
    /// <param name="domain">The frontend domain.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The channels; consoles without a <c>name</c> are not channels and are left out.</returns>
    public async Task<IReadOnlyList<ChannelInfo>> ListAsync(DomainId domain, CancellationToken cancellationToken = default)
    {
        var result = new List<ChannelInfo>();
        foreach (var devid in await DevidsAsync(_xs, ChannelPaths.FrontendRoot(domain), cancellationToken).ConfigureAwait(false))
        {
            if (await GetAsync(domain, devid, cancellationToken).ConfigureAwait(false) is { Name: not null } info)
            {
                result.Add(info);
            }
        }

        return result;
    }

    /// <summary>Finds a channel by name or devid.</summary>
    /// <param name="domain">The frontend domain.</param>
    /// <param name="nameOrDevid">A channel name or a devid.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The channel.</returns>
    /// <exception cref="ChannelProvisioningException">No such channel.</exception>
    public async Task<ChannelInfo> FindAsync(DomainId domain, string nameOrDevid, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(nameOrDevid);
        if (ChannelPaths.TryParseDevid(nameOrDevid, out var devid))
        {
            return await GetAsync(domain, devid, cancellationToken).ConfigureAwait(false) is { Name: not null } byDevid
                ? byDevid
                : throw new ChannelProvisioningException($"domain {domain} has no channel with devid {devid}");
        }

        var all = await ListAsync(domain, cancellationToken).ConfigureAwait(false);
        return all.FirstOrDefault(c => c.Name == nameOrDevid)
            ?? throw new ChannelProvisioningException(
                $"domain {domain} has no channel named \"{nameOrDevid}\" (it has: {(all.Count == 0 ? "none" : string.Join(", ", all.Select(c => c.Name)))})");
    }

    /// <summary>
    /// Hot-unplugs a channel: sets the backend <c>state</c> to Closing (the backend daemon tears its end
    /// down), then removes the frontend and backend directories in one transaction.
    /// </summary>
    /// <param name="domain">The frontend domain.</param>
    /// <param name="nameOrDevid">A channel name or a devid.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The channel as it was.</returns>
    /// <exception cref="ChannelProvisioningException">No such channel.</exception>
    public async Task<ChannelInfo> RemoveAsync(DomainId domain, string nameOrDevid, CancellationToken cancellationToken = default)
    {
        var info = await FindAsync(domain, nameOrDevid, cancellationToken).ConfigureAwait(false);
        if (await _xs.ReadAsync(info.BackendPath + "/state", cancellationToken).ConfigureAwait(false) is not null)
        {
            await _xs.WriteAsync(info.BackendPath + "/state", StateText(XenbusState.Closing), cancellationToken).ConfigureAwait(false);
        }

        await TransactAsync(
            $"remove channel \"{info.Name}\" (console {info.Devid}) from domain {domain}",
            async (tx, ct) =>
            {
                // Either may be gone with its parent already (a half-removed channel, a guest that deleted its device
                // directory): the channel is removed once both are gone.
                await tx.RemoveIfPresentAsync(info.FrontendPath, ct).ConfigureAwait(false);
                await tx.RemoveIfPresentAsync(info.BackendPath, ct).ConfigureAwait(false);
                return 0;
            },
            cancellationToken).ConfigureAwait(false);
        return info;
    }

    /// <summary>Reads one console device (named or not).</summary>
    /// <param name="domain">The frontend domain.</param>
    /// <param name="devid">The devid.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The console, or null when its frontend directory does not exist.</returns>
    public Task<ChannelInfo?> GetAsync(DomainId domain, int devid, CancellationToken cancellationToken = default) =>
        ReadInfoAsync(_xs, domain, devid, cancellationToken);

    /// <summary>Reads one console device through any connection or transaction.</summary>
    internal static async Task<ChannelInfo?> ReadInfoAsync(XenStoreOperations xs, DomainId domain, int devid, CancellationToken cancellationToken)
    {
        var front = ChannelPaths.Frontend(domain, devid);
        if (await xs.ReadAsync(front, cancellationToken).ConfigureAwait(false) is null)
        {
            return null;
        }

        var backendId = DomainId.TryParse(await xs.ReadAsync(front + "/backend-id", cancellationToken).ConfigureAwait(false), out var b) ? b : DomainId.Dom0;
        // The guest can rewrite `backend` and `backend-id`: never follow a path other than the one this console's backend
        // directory has by construction, or `channel remove` would delete another domain's device.
        var back = ChannelPaths.Backend(backendId, domain, devid);

        // The rest with their requests in flight together: one round trip's wait, not ten (a thousand `channel add`s
        // each end with this read).
        string[] paths = [front + "/name", front + "/type", back + "/connection", back + "/path", front + "/tty", front + "/state", back + "/state", front + "/port", front + "/ring-ref"];
        var v = await Task.WhenAll(paths.Select(path => xs.ReadAsync(path, cancellationToken))).ConfigureAwait(false);
        return new ChannelInfo(
            domain,
            devid,
            Name: v[0],
            backendId,
            Type: v[1],
            Connection: v[2],
            SocketPath: v[3],
            Tty: v[4],
            FrontendState: ParseState(v[5]),
            BackendState: ParseState(v[6]),
            EventChannel: v[7],
            RingRef: v[8],
            front,
            back);
    }

    /// <summary>Parses a xenbus <c>state</c> node; hostile text gives null.</summary>
    /// <param name="text">The node's value.</param>
    /// <returns>The state, or null.</returns>
    public static XenbusState? ParseState(string? text) =>
        text is { Length: 1 } && text[0] is >= '0' and <= '8' ? (XenbusState)(text[0] - '0') : null;

    internal static string StateText(XenbusState state) => ((int)state).ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Runs <paramref name="body"/> in a transaction, retried on EAGAIN (a concurrent change to a node it read or
    /// wrote, e.g. another <c>channel add</c> into the same domain) up to <see cref="Limits.XenStoreTransactMaxAttempts"/>
    /// times. Every attempt starts over, so two concurrent adds never take the same devid; when the last one
    /// conflicts too nothing has been written and the caller gets an error that says so.
    /// </summary>
    private async Task<T> TransactAsync<T>(string what, Func<XsTransaction, CancellationToken, Task<T>> body, CancellationToken cancellationToken)
    {
        try
        {
            return await _xs.TransactAsync(body, Limits.XenStoreTransactMaxAttempts, cancellationToken).ConfigureAwait(false);
        }
        catch (XenStoreException e) when (e.Error == XsErrorCode.EAGAIN)
        {
            throw new ChannelProvisioningException(
                $"could not {what}: its xenstore transaction conflicted with concurrent changes on all {Limits.XenStoreTransactMaxAttempts} " +
                "attempts (EAGAIN; the retry limit is Limits.XenStoreTransactMaxAttempts); nothing was written, try again",
                e);
        }
    }

    private static async Task<List<int>> DevidsAsync(XenStoreOperations xs, string path, CancellationToken cancellationToken)
    {
        var devids = new List<int>();
        foreach (var entry in await xs.DirectoryAsync(path, cancellationToken).ConfigureAwait(false))
        {
            if (ChannelPaths.TryParseDevid(entry, out var devid))
            {
                devids.Add(devid);
            }
        }

        devids.Sort();
        return devids;
    }

    private static async Task<int> WriteChannelAsync(XsTransaction tx, DomainId domain, DomainId backend, XlChannelSpec spec, CancellationToken ct)
    {
        var used = new HashSet<int>(await DevidsAsync(tx, ChannelPaths.FrontendRoot(domain), ct).ConfigureAwait(false));
        used.UnionWith(await DevidsAsync(tx, ChannelPaths.BackendRoot(backend) + "/" + domain, ct).ConfigureAwait(false));
        foreach (var existing in used)
        {
            if (await tx.ReadAsync(ChannelPaths.Frontend(domain, existing) + "/name", ct).ConfigureAwait(false) == spec.Name.Value)
            {
                throw new ChannelProvisioningException($"domain {domain} already has a channel named \"{spec.Name}\" (devid {existing})");
            }
        }

        var devid = Enumerable.Range(1, Limits.ChannelMaxDevid).FirstOrDefault(d => !used.Contains(d));
        if (devid == 0)
        {
            throw new ChannelProvisioningException(
                $"domain {domain} has no free channel devid: 1..{Limits.ChannelMaxDevid} are taken (Linux hvc_xen reads the devid as one digit)");
        }

        var nodes = ChannelNodes.For(domain, backend, devid, spec);
        await EnsureDeviceDirectoryAsync(tx, domain, backend, ct).ConfigureAwait(false);

        // libxl__device_generic_add: rm (its result ignored: the parent may not exist yet) + mkdir + set_permissions of
        // each directory, then its entries.
        foreach (var dir in new[] { nodes.FrontendPath, nodes.BackendPath })
        {
            await tx.RemoveIfPresentAsync(dir, ct).ConfigureAwait(false);
        }

        foreach (var node in nodes.All)
        {
            await tx.WriteAsync(node.Path, node.Value, ct).ConfigureAwait(false);
            await tx.SetPermissionsAsync(node.Path, node.Permissions, ct).ConfigureAwait(false);
        }

        return devid;
    }

    private static async Task EnsureDeviceDirectoryAsync(XsTransaction tx, DomainId domain, DomainId backend, CancellationToken ct)
    {
        // libxl__domain_make creates /local/domain/<D>/device read-only to the guest (owner dom0, D may read), so
        // the guest cannot delete and recreate a frontend directory with forged read-only nodes (XSA-175). On a
        // domain not built by libxl (the loopback) create it the same way instead of inheriting the guest's home.
        var device = ChannelPaths.Domain(domain) + "/device";
        XsPermission[] readOnly = [new(XsAccess.None, backend), new(XsAccess.Read, domain)];
        foreach (var dir in new[] { device, device + "/console" })
        {
            if (await tx.ReadAsync(dir, ct).ConfigureAwait(false) is null)
            {
                await tx.MkdirAsync(dir, ct).ConfigureAwait(false);
                await tx.SetPermissionsAsync(dir, readOnly, ct).ConfigureAwait(false);
            }
        }
    }
}
