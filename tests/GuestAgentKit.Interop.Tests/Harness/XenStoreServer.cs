using GuestAgentKit.Interop.Tests.RealXen;
using GuestAgentKit.Loopback.XenStored;
using GuestAgentKit.Xen;
using GuestAgentKit.Xen.Platform.Loopback;
using GuestAgentKit.XenStore;

namespace GuestAgentKit.Interop.Tests.Harness;

/// <summary>
/// A xenstore server on a fresh loopback root R, whichever kind: the embedded one (with a loopback domain
/// connector, so domains connect over their ring page exactly as with the real daemons) or Debian's real
/// <c>xenstored</c>/<c>oxenstored</c> through the tests/native stand-ins. Dom0 connects at
/// <see cref="SocketPath"/>; a domain through <see cref="XenStoreGuest"/>.
/// </summary>
internal sealed class XenStoreServer : IAsyncDisposable
{
    private readonly Func<ValueTask> _dispose;

    private XenStoreServer(XenStoreServerKind kind, string root, Func<ValueTask> dispose)
    {
        Kind = kind;
        Root = root;
        _dispose = dispose;
    }

    /// <summary>Which server runs.</summary>
    public XenStoreServerKind Kind { get; }

    /// <summary>The loopback root R.</summary>
    public string Root { get; }

    /// <summary>Dom0's socket, R/xenstored/socket.</summary>
    public string SocketPath => Path.Combine(Root, "xenstored", "socket");

    /// <summary>Starts a server of <paramref name="kind"/> and returns once dom0 can connect.</summary>
    public static async Task<XenStoreServer> StartAsync(XenStoreServerKind kind, CancellationToken cancellationToken)
    {
        if (kind != XenStoreServerKind.Embedded)
        {
            var real = await RealXenStored.StartAsync(kind == XenStoreServerKind.C ? XenStoredKind.C : XenStoredKind.OCaml, cancellationToken)
                .WaitAsync(RealXenStored.StartTimeout, cancellationToken);
            return new XenStoreServer(kind, real.Root, real.DisposeAsync);
        }

        var root = LoopbackDirectory.Create();
        var platform = new LoopbackPlatform(root, DomainId.Dom0);
        var connector = new LoopbackXenStoreConnector(platform);
        var embedded = new EmbeddedXenStored(new EmbeddedXenStoredOptions { DomainConnector = connector.Connect });
        var server = new XenStoreServer(kind, root, async () =>
        {
            await embedded.DisposeAsync();
            platform.Dispose();
            LoopbackDirectory.Delete(root);
        });
        try
        {
            await embedded.StartAsync(server.SocketPath, cancellationToken);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>A privileged (dom0) client on the socket.</summary>
    public Task<XenStoreClient> ConnectAsync(CancellationToken cancellationToken) =>
        XenStoreClient.ConnectAsync(XenStoreEndpoint.FromPath(SocketPath), cancellationToken);

    /// <summary>Makes domains exist on the loopback (their markers): the real xenstoreds refuse permissions that
    /// name a domain that does not exist (ENOENT).</summary>
    public void CreateDomains(params ReadOnlySpan<ushort> ids)
    {
        foreach (var id in ids)
        {
            new LoopbackDomain(Root, new DomainId(id)).WriteMarker(new LoopbackDomainInfo($"domain-{id}", Guid.NewGuid()));
        }
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _dispose();
}
