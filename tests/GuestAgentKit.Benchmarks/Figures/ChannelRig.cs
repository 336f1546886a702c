using System.Diagnostics;
using GuestAgentKit.Channels;
using GuestAgentKit.Channels.Xl;
using GuestAgentKit.Host.Provisioning;
using GuestAgentKit.Loopback;
using GuestAgentKit.Loopback.Toolstack;
using GuestAgentKit.XenStore;

namespace GuestAgentKit.Benchmarks.Figures;

/// <summary>
/// One channel end to end on the loopback, as production runs it: LoopbackXen (embedded xenstored + the guest
/// kernel emulator, in this process), one domain with the agent channel provisioned as <c>gak-host channel
/// add</c> does, and ONE <c>gak-host backend</c> process serving it. dom0's end is <see cref="SocketPath"/>
/// (socket channels) or <see cref="DomTty"/> (pty channels); the guest's end is <see cref="GuestDevice"/>
/// (the emulated <c>/dev/hvcN</c>).
/// </summary>
internal sealed class ChannelRig : IAsyncDisposable
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromMinutes(1);

    private readonly string _root;
    private readonly LoopbackXen _xen;
    private readonly XenStoreClient _xs;

    private ChannelRig(string root, LoopbackXen xen, XenStoreClient xs, BackendProcess backend, LoopbackDomainEntry domain, ChannelInfo channel, string guestDevice)
    {
        _root = root;
        _xen = xen;
        _xs = xs;
        Backend = backend;
        Domain = domain;
        Channel = channel;
        GuestDevice = guestDevice;
    }

    public BackendProcess Backend { get; }

    public LoopbackDomainEntry Domain { get; }

    public ChannelInfo Channel { get; }

    /// <summary>The backend's listening socket (socket channels).</summary>
    public string? SocketPath => Channel.SocketPath;

    /// <summary>The pty the backend opened, from the frontend <c>tty</c> node (pty channels).</summary>
    public string? DomTty => Channel.Tty;

    /// <summary>The guest's <c>hvcN</c> for this channel.</summary>
    public string GuestDevice { get; }

    public static async Task<ChannelRig> StartAsync(ChannelConnection connection, CancellationToken cancellationToken)
    {
        var root = Directory.CreateTempSubdirectory("gak-rig-").FullName;
        var xen = await LoopbackXen.StartAsync(root, cancellationToken: cancellationToken).ConfigureAwait(false);
        XenStoreClient? xs = null;
        BackendProcess? backend = null;
        try
        {
            var domain = await xen.CreateDomainAsync("rig", cancellationToken: cancellationToken).ConfigureAwait(false);
            xs = await XenStoreClient.ConnectAsync(XenStoreEndpoint.FromPath(xen.XenStoreSocketPath), cancellationToken).ConfigureAwait(false);
            backend = BackendProcess.Start(root);
            var path = connection == ChannelConnection.Socket ? Path.Combine(Directory.CreateDirectory(Path.Combine(root, "s")).FullName, "agent.sock") : null;
            var provisioner = new ChannelProvisioner(xs);
            var added = await provisioner.AddAsync(domain.Id, new XlChannelSpec(WellKnownChannels.Agent.Name, connection, path), cancellationToken).ConfigureAwait(false);
            var clock = Stopwatch.StartNew();
            while (true)
            {
                var now = await provisioner.GetAsync(domain.Id, added.Devid, cancellationToken).ConfigureAwait(false);
                var device = domain.ConsoleDevices().Where(d => !d.EndsWith("hvc0", StringComparison.Ordinal)).LastOrDefault();
                if (now is { BackendState: XenbusState.Connected, FrontendState: XenbusState.Connected } && device is not null
                    && (connection != ChannelConnection.Pty || now.Tty is not null))
                {
                    return new ChannelRig(root, xen, xs, backend, domain, now, device);
                }

                if (backend.HasExited || clock.Elapsed > ConnectTimeout)
                {
                    throw new TimeoutException($"the channel did not connect within {ConnectTimeout}: {now}");
                }

                await Task.Delay(20, cancellationToken).ConfigureAwait(false); // polling xenstore state for the harness only
            }
        }
        catch
        {
            if (backend is not null)
            {
                await backend.DisposeAsync().ConfigureAwait(false);
            }

            if (xs is not null)
            {
                await xs.DisposeAsync().ConfigureAwait(false);
            }

            await xen.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Backend.DisposeAsync().ConfigureAwait(false);
        await _xs.DisposeAsync().ConfigureAwait(false);
        await _xen.DisposeAsync().ConfigureAwait(false);
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // the loopback may still be unlinking its files; /tmp is cleaned anyway
        }
    }
}
