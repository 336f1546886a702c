using GuestAgentKit.Channels.Xl;
using GuestAgentKit.Host.Provisioning;
using GuestAgentKit.Interop.Tests.Harness;
using GuestAgentKit.Tests.Host;
using GuestAgentKit.Xen;
using GuestAgentKit.XenStore;
using GuestAgentKit.XenStore.Wire;

namespace GuestAgentKit.Interop.Tests.Provisioning;

/// <summary>
/// <see cref="ChannelProvisioner"/> against Debian's real C xenstored and oxenstored (and the embedded one as
/// the control): the nodes and permissions it writes, node by node, against the libxl table the unit tests
/// use (<see cref="LibxlChannelTable"/>, linked from tests/GuestAgentKit.Tests), and the guest domain — over
/// its own xenstore ring page, with the daemon's real permission checks — refused (EACCES) when it tries to
/// rewrite what the backend trusts.
/// </summary>
public sealed class ProvisioningRealXenStoredTests
{
    private const ushort Guest = 5;
    private const string Name = "org.example.agent.1";
    private const string SocketPath = "/run/gak/vm5.sock";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(XenStoreServerKind.Embedded)]
    [InlineData(XenStoreServerKind.C)]
    [InlineData(XenStoreServerKind.OCaml)]
    public async Task AddAsync_SocketChannel_NodesAndPermissionsMatchLibxl(XenStoreServerKind kind)
    {
        await using var server = await XenStoreServer.StartAsync(kind, Ct);
        await using var dom0 = await server.ConnectAsync(Ct).Within();
        await using var guest = await XenStoreGuest.IntroduceAsync(server.Root, new DomainId(Guest), dom0, Ct).Within();

        var info = await new ChannelProvisioner(dom0).AddAsync(new DomainId(Guest), XlChannelSpec.Parse($"connection=socket, name={Name}, path={SocketPath}"), Ct).Within();

        Assert.Equal(1, info.Devid);
        foreach (var (node, value, perms) in LibxlChannelTable.ForSocket(Guest, 0, info.Devid, Name, SocketPath))
        {
            Assert.Equal((node, value), (node, await dom0.ReadAsync(node, Ct).Within()));
            Assert.Equal((node, perms), (node, string.Join(",", await dom0.GetPermissionsAsync(node, Ct).Within())));
        }

        Assert.Equal(LibxlChannelTable.EntriesOf('F'), (await dom0.DirectoryAsync(LibxlChannelTable.FrontendPath(Guest, 1), Ct).Within()).Order(StringComparer.Ordinal));
        Assert.Equal(LibxlChannelTable.EntriesOf('B'), (await dom0.DirectoryAsync(LibxlChannelTable.BackendPath(Guest, 0, 1), Ct).Within()).Order(StringComparer.Ordinal));
        // The guest reads its frontend (r5 on the read-only entries) and the backend directory, as hvc_xen must.
        Assert.Equal(Name, await guest.Client.ReadAsync("device/console/1/name", Ct).Within());
        Assert.Equal(SocketPath, await guest.Client.ReadAsync(LibxlChannelTable.BackendPath(Guest, 0, 1) + "/path", Ct).Within());
    }

    [Theory]
    [InlineData(XenStoreServerKind.C, "device/console/1/name")]
    [InlineData(XenStoreServerKind.C, "device/console/1/type")]
    [InlineData(XenStoreServerKind.C, "device/console/1/output")]
    [InlineData(XenStoreServerKind.C, "/local/domain/0/backend/console/5/1/connection")]
    [InlineData(XenStoreServerKind.C, "/local/domain/0/backend/console/5/1/path")]
    [InlineData(XenStoreServerKind.C, "/local/domain/0/backend/console/5/1/name")]
    [InlineData(XenStoreServerKind.OCaml, "device/console/1/name")]
    [InlineData(XenStoreServerKind.OCaml, "device/console/1/type")]
    [InlineData(XenStoreServerKind.OCaml, "device/console/1/output")]
    [InlineData(XenStoreServerKind.OCaml, "/local/domain/0/backend/console/5/1/connection")]
    [InlineData(XenStoreServerKind.OCaml, "/local/domain/0/backend/console/5/1/path")]
    [InlineData(XenStoreServerKind.OCaml, "/local/domain/0/backend/console/5/1/name")]
    public async Task GuestDomain_RewritesTrustedNode_EACCESAndUnchanged(XenStoreServerKind kind, string path)
    {
        await using var server = await XenStoreServer.StartAsync(kind, Ct);
        await using var dom0 = await server.ConnectAsync(Ct).Within();
        await using var guest = await XenStoreGuest.IntroduceAsync(server.Root, new DomainId(Guest), dom0, Ct).Within();
        await new ChannelProvisioner(dom0).AddAsync(new DomainId(Guest), XlChannelSpec.Parse($"connection=socket, name={Name}, path={SocketPath}"), Ct).Within();
        var absolute = path.StartsWith('/') ? path : $"/local/domain/{Guest}/{path}";
        var before = await dom0.ReadAsync(absolute, Ct).Within();

        var write = await Assert.ThrowsAsync<XenStoreException>(() => guest.Client.WriteAsync(path, "forged", Ct).Within());
        var remove = await Assert.ThrowsAsync<XenStoreException>(() => guest.Client.RemoveAsync(path, Ct).Within());

        Assert.Equal(XsErrorCode.EACCES, write.Error);
        Assert.Equal(XsErrorCode.EACCES, remove.Error);
        Assert.NotNull(before);
        Assert.Equal(before, await dom0.ReadAsync(absolute, Ct).Within());
    }
}
