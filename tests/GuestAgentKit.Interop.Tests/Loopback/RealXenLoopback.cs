using System.Net.Sockets;
using GuestAgentKit.Channels.Xl;
using GuestAgentKit.Host.Provisioning;
using GuestAgentKit.Interop.Tests.RealXen;
using GuestAgentKit.Loopback;
using GuestAgentKit.Xen;
using GuestAgentKit.XenStore;

namespace GuestAgentKit.Interop.Tests.Loopback;

/// <summary>
/// The loopback Xen (toolstack + guest kernel emulator) with Debian's real C xenstored or oxenstored in
/// place of the embedded one, on one root: what <c>gak-host loopback start --real-xenstored</c> runs, in
/// this process. Dom0 has its own connection (<see cref="Dom0"/>) for provisioning and waiting.
/// Disposing tears down the loopback, then the daemon and the root.
/// </summary>
internal sealed class RealXenLoopback : IAsyncDisposable
{
    /// <summary>How long one step (a domain, a channel reaching a state, a connect) may take on a busy 2-core machine.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private RealXenLoopback(RealXenStored store, LoopbackXen xen, XenStoreClient dom0)
    {
        Store = store;
        Xen = xen;
        Dom0 = dom0;
        Directory.CreateDirectory(Sockets);
    }

    /// <summary>The real daemon (root, socket, stand-ins).</summary>
    public RealXenStored Store { get; }

    /// <summary>The loopback on the daemon's root.</summary>
    public LoopbackXen Xen { get; }

    /// <summary>A dom0 connection of the test's own.</summary>
    public XenStoreClient Dom0 { get; }

    /// <summary>The loopback root R.</summary>
    public string Root => Store.Root;

    /// <summary>R/sock: where channel sockets go.</summary>
    public string Sockets => Path.Combine(Root, "sock");

    /// <summary>Starts <paramref name="kind"/> on a fresh root and the loopback over it.</summary>
    public static async Task<RealXenLoopback> StartAsync(XenStoredKind kind, CancellationToken cancellationToken)
    {
        var store = await RealXenStored.StartAsync(kind, cancellationToken).WaitAsync(RealXenStored.StartTimeout, cancellationToken);
        LoopbackXen? xen = null;
        try
        {
            var options = new LoopbackXenOptions { ExternalXenStoredSocket = store.SocketPath };
            xen = await LoopbackXen.StartAsync(store.Root, options, cancellationToken)
                .WaitAsync(Timeout, cancellationToken);
            var dom0 = await store.ConnectAsync(cancellationToken).WaitAsync(Timeout, cancellationToken);
            return new RealXenLoopback(store, xen, dom0);
        }
        catch
        {
            if (xen is not null)
            {
                await xen.DisposeAsync();
            }

            await store.DisposeAsync();
            throw;
        }
    }

    /// <summary>Provisions a <c>connection=socket</c> channel named <paramref name="name"/> with its socket under <see cref="Sockets"/>.</summary>
    public async Task<(ChannelInfo Info, string Socket)> AddSocketChannelAsync(DomainId domain, string name, CancellationToken cancellationToken)
    {
        var socket = Path.Combine(Sockets, $"{domain}-{name}");
        var spec = XlChannelSpec.Parse($"connection=socket, name={name}, path={socket}");
        var info = await new ChannelProvisioner(Dom0).AddAsync(domain, spec, cancellationToken).WaitAsync(Timeout, cancellationToken);
        return (info, socket);
    }

    /// <summary>Waits (on a watch, not a sleep) until <paramref name="path"/> reads <paramref name="value"/>; null: until it exists.</summary>
    /// <returns>The value read.</returns>
    public async Task<string> WaitForValueAsync(string path, string? value, CancellationToken cancellationToken)
    {
        await using var watch = await Dom0.WatchAsync(path, cancellationToken: cancellationToken).WaitAsync(Timeout, cancellationToken);
        await using var events = watch.GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            var current = await Dom0.ReadAsync(path, cancellationToken).WaitAsync(Timeout, cancellationToken);
            if (current is not null && (value is null || current == value))
            {
                return current;
            }

            Assert.True(await events.MoveNextAsync().AsTask().WaitAsync(Timeout, cancellationToken), $"the watch on {path} ended (last value {current ?? "none"})");
        }
    }

    /// <summary>Waits until a channel is Connected at both ends, as the backend and the emulated hvc_xen left it.</summary>
    public async Task WaitConnectedAsync(ChannelInfo channel, CancellationToken cancellationToken)
    {
        var connected = ((int)XenbusState.Connected).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await WaitForValueAsync(ChannelPaths.Backend(channel.BackendDomain, channel.Domain, channel.Devid) + "/state", connected, cancellationToken);
        await WaitForValueAsync(ChannelPaths.Frontend(channel.Domain, channel.Devid) + "/state", connected, cancellationToken);
    }

    /// <summary>A client of a channel socket (retrying while the backend has not yet listened or its backlog is full).</summary>
    public static async Task<NetworkStream> ConnectClientAsync(string path, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken).AsTask().WaitAsync(Timeout, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.AddressNotAvailable or SocketError.ConnectionRefused && DateTime.UtcNow < deadline)
            {
                socket.Dispose();
                await Task.Delay(20, cancellationToken);
            }
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await Dom0.DisposeAsync();
        await Xen.DisposeAsync();
        await Store.DisposeAsync();
    }
}
