using GuestAgentKit.XenStore;
using GuestAgentKit.Xen;
using GuestAgentKit.Xen.Platform;
using GuestAgentKit.Xen.Platform.Loopback;
using GuestAgentKit.Xen.Rings;

namespace GuestAgentKit.Tests.Loopback;

/// <summary>
/// Just enough of a dom0 console backend for the guest emulator: provisions frontend and backend nodes by
/// hand, waits for the frontend to go Initialised, maps its page and binds its port, and goes Connected.
/// </summary>
internal sealed class TestConsoleBackend : IAsyncDisposable
{
    private readonly LoopbackPlatform _platform;
    private IGrantMapping? _mapping;
    private IEventChannel? _channel;

    private TestConsoleBackend(XenStoreClient dom0, string root, DomainId domain, int devid)
    {
        Dom0 = dom0;
        Domain = domain;
        Frontend = $"/local/domain/{domain}/device/console/{devid}";
        Backend = $"/local/domain/0/backend/console/{domain}/{devid}";
        _platform = new LoopbackPlatform(root, DomainId.Dom0);
    }

    public XenStoreClient Dom0 { get; }

    public DomainId Domain { get; }

    public string Frontend { get; }

    public string Backend { get; }

    public RingStream? Ring { get; private set; }

    /// <summary>Writes the nodes as provisioning does (backend InitWait, frontend Initialising).</summary>
    public static async Task<TestConsoleBackend> ProvisionAsync(XenStoreClient dom0, string root, DomainId domain, int devid, CancellationToken ct)
    {
        var backend = new TestConsoleBackend(dom0, root, domain, devid);
        await dom0.TransactAsync(
            async (tx, c) =>
            {
                await tx.MkdirAsync(backend.Backend, c);
                await tx.SetPermissionsAsync(backend.Backend, [new(XsAccess.None, DomainId.Dom0), new(XsAccess.Read, domain)], c);
                await tx.WriteAsync($"{backend.Backend}/frontend", backend.Frontend, c);
                await tx.WriteAsync($"{backend.Backend}/frontend-id", domain.ToString(), c);
                await tx.WriteAsync($"{backend.Backend}/state", "2", c);
                await tx.MkdirAsync(backend.Frontend, c);
                await tx.SetPermissionsAsync(backend.Frontend, [new(XsAccess.None, domain), new(XsAccess.Read, DomainId.Dom0)], c);
                await tx.WriteAsync($"{backend.Frontend}/backend", backend.Backend, c);
                await tx.WriteAsync($"{backend.Frontend}/backend-id", "0", c);
                await tx.WriteAsync($"{backend.Frontend}/type", "guestagentkit", c);
                await tx.WriteAsync($"{backend.Frontend}/name", $"test.{devid}", c);
                await tx.WriteAsync($"{backend.Frontend}/state", "1", c);
                return true;
            },
            cancellationToken: ct);
        return backend;
    }

    /// <summary>Waits for Initialised, maps and binds, goes Connected and waits for the frontend to follow.</summary>
    public async Task ConnectAsync(CancellationToken ct)
    {
        await LoopbackTestXen.WaitForValueAsync(Dom0, $"{Frontend}/state", "3");
        var grant = new GrantRef(uint.Parse((await Dom0.ReadAsync($"{Frontend}/ring-ref", ct))!));
        var port = new EventChannelPort(uint.Parse((await Dom0.ReadAsync($"{Frontend}/port", ct))!));
        _mapping = _platform.MapGrant(Domain, grant);
        _channel = _platform.BindInterdomain(Domain, port);
        Ring = new RingStream(ConsoleRing.Backend(_mapping.Page), _channel);
        await Dom0.WriteAsync($"{Backend}/state", "4", ct);
        await LoopbackTestXen.WaitForValueAsync(Dom0, $"{Frontend}/state", "4");
    }

    /// <summary>Drops the binding and the mapping as a crashed backend's process exit would.</summary>
    public async Task CrashAsync()
    {
        if (Ring is not null)
        {
            await Ring.DisposeAsync();
        }

        _channel?.Dispose();
        _mapping?.Dispose();
        Ring = null;
    }

    public async ValueTask DisposeAsync()
    {
        await CrashAsync();
        _platform.Dispose();
    }
}
