using System.Globalization;
using GuestAgentKit.Channels;
using GuestAgentKit.Xen;
using GuestAgentKit.XenStore;

namespace GuestAgentKit.Host.Client;

/// <summary>
/// Finds a channel's Unix socket from dom0's xenstore, as libxl records it: the backend directory
/// <c>/local/domain/0/backend/console/&lt;D&gt;/&lt;devid&gt;</c> holds <c>name</c>, <c>connection</c> and <c>path</c>
/// (XEN-FACTS.md §3).
/// </summary>
public static class ChannelSocketLocator
{
    /// <summary>Resolves a domain given as a domid or a domain name (<c>/local/domain/*/name</c>).</summary>
    /// <param name="xenstore">A dom0 (privileged) xenstore connection.</param>
    /// <param name="domain">A domid (<c>5</c>) or a name (<c>web1</c>).</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The domid.</returns>
    /// <exception cref="AgentConnectionException">No domain has that name.</exception>
    public static async Task<DomainId> ResolveDomainAsync(XenStoreOperations xenstore, string domain, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(xenstore);
        ArgumentException.ThrowIfNullOrEmpty(domain);
        if (DomainId.TryParse(domain, out var id))
        {
            return id;
        }

        foreach (var entry in await xenstore.DirectoryAsync("/local/domain", cancellationToken).ConfigureAwait(false))
        {
            if (DomainId.TryParse(entry, out var candidate)
                && await xenstore.ReadAsync($"/local/domain/{entry}/name", cancellationToken).ConfigureAwait(false) == domain)
            {
                return candidate;
            }
        }

        throw new AgentConnectionException($"no domain named '{domain}' in xenstore (/local/domain/*/name)");
    }

    /// <summary>Finds the socket of channel <paramref name="channel"/> of domain <paramref name="domain"/>.</summary>
    /// <param name="xenstore">A dom0 xenstore connection.</param>
    /// <param name="domain">The guest domain.</param>
    /// <param name="channel">The channel name.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The socket path.</returns>
    /// <exception cref="AgentConnectionException">No such channel, or it is not connected to a socket.</exception>
    public static async Task<string> FindSocketAsync(XenStoreOperations xenstore, DomainId domain, ChannelName channel, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(xenstore);
        ArgumentNullException.ThrowIfNull(channel);
        var backendDir = string.Create(CultureInfo.InvariantCulture, $"/local/domain/{DomainId.Dom0}/backend/console/{domain}");
        foreach (var devid in await xenstore.DirectoryAsync(backendDir, cancellationToken).ConfigureAwait(false))
        {
            var dir = backendDir + "/" + devid;
            if (await xenstore.ReadAsync(dir + "/name", cancellationToken).ConfigureAwait(false) != channel.Value)
            {
                continue;
            }

            var connection = await xenstore.ReadAsync(dir + "/connection", cancellationToken).ConfigureAwait(false);
            var path = await xenstore.ReadAsync(dir + "/path", cancellationToken).ConfigureAwait(false);
            if (connection != "socket" || string.IsNullOrEmpty(path))
            {
                throw new AgentConnectionException(
                    $"channel '{channel}' on domain {domain} is connected to {connection ?? "nothing"}, not a socket ({dir}); " +
                    "the client talks to socket channels only");
            }

            return path;
        }

        throw new AgentConnectionException($"no channel named '{channel}' on domain {domain} ({backendDir}/*/name); 'gak-host channel list {domain}' shows its channels");
    }
}
