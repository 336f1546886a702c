using GuestAgentKit.Xen;
using GuestAgentKit.Xen.Platform;
using GuestAgentKit.Xen.Platform.Loopback;
using GuestAgentKit.Xen.Rings;

namespace GuestAgentKit.Benchmarks.Figures;

/// <summary>
/// Both ends of one console page on a fresh loopback root, as a guest and a dom0 backend set it up:
/// the guest grants the page and allocates an unbound port, dom0 maps the grant and binds the port
/// (LoopbackDomain / LoopbackPlatform, docs/loopback.md). Each end is a <see cref="RingStream"/>.
/// </summary>
internal sealed class LoopbackConsolePair : IAsyncDisposable
{
    private static readonly DomainId Guest = new(1);

    private readonly string _root;
    private readonly LoopbackPlatform _dom0;
    private readonly IGrantMapping _guestPage;
    private readonly IEventChannel _guestChannel;
    private readonly IGrantMapping _dom0Page;

    private LoopbackConsolePair(string root, LoopbackPlatform dom0, IGrantMapping guestPage, IEventChannel guestChannel, IGrantMapping dom0Page, IEventChannel dom0Channel)
    {
        _root = root;
        _dom0 = dom0;
        _guestPage = guestPage;
        _guestChannel = guestChannel;
        _dom0Page = dom0Page;
        Frontend = new RingStream(ConsoleRing.Frontend(guestPage.Page), guestChannel);
        Backend = new RingStream(ConsoleRing.Backend(dom0Page.Page), dom0Channel);
    }

    /// <summary>The guest's end (hvc_xen's role): writes <c>out</c>, reads <c>in</c>.</summary>
    public RingStream Frontend { get; }

    /// <summary>Dom0's end: reads <c>out</c>, writes <c>in</c>.</summary>
    public RingStream Backend { get; }

    public static LoopbackConsolePair Create()
    {
        var root = Directory.CreateTempSubdirectory("gak-bench-ring-").FullName;
        var guest = new LoopbackDomain(root, Guest);
        guest.WriteMarker(new LoopbackDomainInfo("bench", Guid.NewGuid()));
        var (grant, guestPage) = guest.GrantPage(DomainId.Dom0);
        var guestChannel = guest.AllocateUnbound(DomainId.Dom0);
        var dom0 = new LoopbackPlatform(root, DomainId.Dom0);
        var dom0Page = dom0.MapGrant(Guest, grant);
        var dom0Channel = dom0.BindInterdomain(Guest, guestChannel.LocalPort);
        return new LoopbackConsolePair(root, dom0, guestPage, guestChannel, dom0Page, dom0Channel);
    }

    public async ValueTask DisposeAsync()
    {
        await Frontend.DisposeAsync().ConfigureAwait(false);
        await Backend.DisposeAsync().ConfigureAwait(false);
        _dom0.Dispose(); // unbinds dom0's channel
        _guestChannel.Dispose();
        _dom0Page.Dispose();
        _guestPage.Dispose();
        Directory.Delete(_root, recursive: true);
    }
}
