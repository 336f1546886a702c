using System.Text.Json;
using GuestAgentKit.Channels;
using GuestAgentKit.Channels.Xl;
using GuestAgentKit.Host.Client;
using GuestAgentKit.Host.Provisioning;
using GuestAgentKit.Samples.FirstBoot.Guest;
using GuestAgentKit.Xen;
using GuestAgentKit.XenStore;

namespace GuestAgentKit.Samples.FirstBoot.Dom0;

/// <summary>
/// The orchestrator's side of first boot, as Xen's docs/misc/channel.txt tells it: give the cloned domain a
/// channel whose socket path is unique to the VM, let the backend serve it, connect, handshake, push the VM's
/// configuration and report what the guest changed.
/// </summary>
/// <param name="xenStore">dom0's xenstore connection.</param>
/// <param name="socketDirectory">Where channel sockets live (e.g. <c>/run/gak</c>); the backend creates them.</param>
public sealed class FirstBootOrchestrator(XenStoreClient xenStore, string socketDirectory)
{
    /// <summary>The channel the first-boot agent serves.</summary>
    public static ChannelName Channel => WellKnownChannels.Agent.Name;

    /// <summary>Options for the client: the plugin's result types and a short handshake, retried while the agent starts.</summary>
    public static AgentClientOptions ClientOptions(TimeSpan handshakeTimeout) =>
        new() { HandshakeTimeout = handshakeTimeout, JsonTypeInfoResolver = FirstBootRpc.JsonTypeInfoResolver };

    /// <summary>
    /// The VM's channel socket: keyed by the domain's UUID, which stays unique when names are reused, as
    /// libvirt keys its <c>channel/target/&lt;domname&gt;-&lt;name&gt;</c> sockets per domain.
    /// </summary>
    /// <param name="uuid">The domain's UUID.</param>
    /// <returns>The socket path.</returns>
    public string SocketPathFor(Guid uuid) => Path.Combine(socketDirectory, $"{uuid:N}.{Channel.Value}");

    /// <summary>Adds the agent channel to the domain (the xenstore nodes libxl writes), connected to <see cref="SocketPathFor"/>.</summary>
    /// <param name="domain">The cloned domain.</param>
    /// <param name="uuid">Its UUID.</param>
    /// <param name="cancellationToken">Cancels the xenstore transaction.</param>
    /// <returns>The channel as written.</returns>
    public Task<ChannelInfo> AddChannelAsync(DomainId domain, Guid uuid, CancellationToken cancellationToken) =>
        new ChannelProvisioner(xenStore).AddAsync(domain, new XlChannelSpec(Channel, ChannelConnection.Socket, SocketPathFor(uuid)), cancellationToken);

    /// <summary>
    /// Connects to the channel socket, retrying while the backend has not created it yet or the agent does not
    /// answer yet (each try is one handshake of <paramref name="handshakeTimeout"/>), until <paramref name="deadline"/>.
    /// </summary>
    /// <param name="socketPath">The channel socket.</param>
    /// <param name="handshakeTimeout">One attempt's handshake timeout.</param>
    /// <param name="deadline">How long to keep trying.</param>
    /// <param name="cancellationToken">Cancels everything.</param>
    /// <returns>The connected client; the caller disposes it.</returns>
    /// <exception cref="AgentConnectionException">Still no agent at the deadline (the last failure).</exception>
    public static async Task<AgentClient> ConnectAsync(string socketPath, TimeSpan handshakeTimeout, TimeSpan deadline, CancellationToken cancellationToken)
    {
        using var overall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        overall.CancelAfter(deadline);
        while (true)
        {
            try
            {
                return await AgentClient.ConnectAsync(socketPath, Channel, ClientOptions(handshakeTimeout), overall.Token).ConfigureAwait(false);
            }
            catch (AgentConnectionException) when (!overall.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), overall.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw new AgentConnectionException($"no agent answered on {socketPath} within {deadline.TotalSeconds:0} s", e);
            }
        }
    }

    /// <summary>Pushes the configuration (<c>config.apply</c>).</summary>
    /// <param name="client">A connected client.</param>
    /// <param name="config">The configuration as JSON.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>What the guest changed.</returns>
    /// <exception cref="FirstBootRejectedException">Invalid fields; nothing applied.</exception>
    /// <exception cref="FirstBootApplyFailedException">The guest could not write; rolled back.</exception>
    public static Task<FirstBootApplyResult> PushAsync(AgentClient client, JsonElement config, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        return FirstBootRpc.ApplyAsync(client.Session, config, cancellationToken);
    }
}
