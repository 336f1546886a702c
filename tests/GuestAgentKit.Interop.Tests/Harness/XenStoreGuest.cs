using System.Globalization;
using GuestAgentKit.Streams;
using GuestAgentKit.Xen.Platform.Loopback;
using GuestAgentKit.Xen.Rings;
using GuestAgentKit.Xen;
using GuestAgentKit.XenStore;

namespace GuestAgentKit.Interop.Tests.Harness;

/// <summary>
/// An unprivileged loopback domain talking to xenstored over its own xenstore ring page, set up as
/// tests/native's <c>gak-guest-domain</c> does it but from C#: the marker, a zeroed page at grant ref 1
/// and an unbound port for dom0 (the domain builder's part), <c>/local/domain/&lt;id&gt;</c> owned by the
/// domain with its <c>name</c> (the toolstack's part, over dom0's socket), then XS_INTRODUCE. The same code
/// path serves the embedded and the real xenstoreds.
/// </summary>
internal sealed class XenStoreGuest : IAsyncDisposable
{
    private readonly LoopbackDomain _domain;

    private XenStoreGuest(LoopbackDomain domain, XenStoreClient client)
    {
        _domain = domain;
        Client = client;
    }

    /// <summary>The domain.</summary>
    public DomainId Id => _domain.Id;

    /// <summary>The domain's own xenstore connection (over its ring page).</summary>
    public XenStoreClient Client { get; }

    /// <summary>The node name the toolstack writes into the domain's home.</summary>
    public static string NameOf(DomainId id) => "guest-" + id.Value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Creates the domain on the loopback and introduces it through <paramref name="dom0"/>.</summary>
    public static async Task<XenStoreGuest> IntroduceAsync(string root, DomainId id, XenStoreClient dom0, CancellationToken cancellationToken)
    {
        var domain = new LoopbackDomain(root, id);
        var mapping = domain.GrantReserved(GrantRef.ReservedXenStore, DomainId.Dom0);
        var channel = domain.AllocateUnbound(DomainId.Dom0);
        var stream = new OwningStream(new RingStream(XenStoreRing.Client(mapping.Page), channel), channel, mapping);
        var client = XenStoreClient.Create(stream);
        var guest = new XenStoreGuest(domain, client);
        try
        {
            domain.WriteMarker(new LoopbackDomainInfo(NameOf(id), Guid.NewGuid(), XenStorePort: channel.LocalPort));
            var home = await dom0.GetDomainPathAsync(id, cancellationToken);
            await dom0.MkdirAsync(home, cancellationToken);
            await dom0.SetPermissionsAsync(home, [new XsPermission(XsAccess.None, id)], cancellationToken);
            await dom0.WriteAsync(home + "/name", NameOf(id), cancellationToken);
            await dom0.IntroduceAsync(id, 0, channel.LocalPort, cancellationToken);
        }
        catch
        {
            await guest.DisposeAsync();
            throw;
        }

        return guest;
    }

    /// <summary>Removes the domain's marker (the domain died): the real xenstoreds notice through VIRQ_DOM_EXC.</summary>
    public void RemoveMarker() => _domain.RemoveMarker();

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        if (_domain.Exists)
        {
            _domain.RemoveMarker();
        }
    }
}
