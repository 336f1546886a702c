using GuestAgentKit.Host.Provisioning;
using GuestAgentKit.Xen;
using GuestAgentKit.Xen.Platform;
using GuestAgentKit.Xen.Platform.Loopback;
using GuestAgentKit.Xen.Rings;
using GuestAgentKit.XenStore;

namespace GuestAgentKit.Tests.Host;

/// <summary>
/// What hvc_xen does for one console, done by the test on the loopback: grant a zeroed page, allocate an
/// unbound port for dom0, publish ring-ref/port and state Initialised in one transaction; then read and
/// write the guest end through <see cref="Stream"/>.
/// </summary>
internal sealed class TestFrontend : IAsyncDisposable
{
    private TestFrontend(IGrantMapping page, IEventChannel events, string frontendPath)
    {
        Page = page;
        Events = events;
        FrontendPath = frontendPath;
        Stream = new RingStream(ConsoleRing.Frontend(page.Page), events);
    }

    public IGrantMapping Page { get; }

    public IEventChannel Events { get; }

    public string FrontendPath { get; }

    public RingStream Stream { get; }

    public static async Task<TestFrontend> ConnectAsync(XenStoreClient xs, string root, DomainId domain, int devid, CancellationToken ct)
    {
        var loopback = new LoopbackDomain(root, domain);
        var (grant, page) = loopback.GrantPage(DomainId.Dom0);
        var events = loopback.AllocateUnbound(DomainId.Dom0);
        var front = ChannelPaths.Frontend(domain, devid);
        await xs.TransactAsync(
            async (tx, c) =>
            {
                await tx.WriteAsync(front + "/ring-ref", grant.ToString(), c);
                await tx.WriteAsync(front + "/port", events.LocalPort.ToString(), c);
                await tx.WriteAsync(front + "/state", "3", c);
                return 0;
            },
            cancellationToken: ct);
        return new TestFrontend(page, events, front);
    }

    public async ValueTask DisposeAsync()
    {
        await Stream.DisposeAsync();
        Events.Dispose();
        Page.Dispose();
    }
}
