using GuestAgentKit.Channels.Xl;
using GuestAgentKit.Host.Provisioning;
using GuestAgentKit.Tests.XenStore;
using GuestAgentKit.Xen;
using GuestAgentKit.XenStore;
using GuestAgentKit.XenStore.Wire;

namespace GuestAgentKit.Tests.Host;

public sealed class ProvisioningTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AddAsync_SocketChannel_WritesLibxlNodesAndPermissions()
    {
        await using var harness = await XenStoreHarness.StartAsync();
        var xs = await harness.ConnectDom0Async();
        await CreateDomainAsync(xs, 5, "vm5");
        var spec = XlChannelSpec.Parse("connection=socket, name=org.example.agent.1, path=/run/gak/vm5.sock");

        var info = await new ChannelProvisioner(xs).AddAsync(new DomainId(5), spec, Ct).WaitAsync(Timeout, Ct);

        Assert.Equal(1, info.Devid);
        await AssertMatchesLibxlAsync(xs, domain: 5, backend: 0, devid: 1, "org.example.agent.1", "/run/gak/vm5.sock");
        Assert.Equal("n0,r5", await PermsAsync(xs, "/local/domain/5/device")); // read-only to the guest (XSA-175)
    }

    [Fact]
    public async Task AddAsync_SecondChannelAndPty_TakesNextDevid()
    {
        await using var harness = await XenStoreHarness.StartAsync();
        var xs = await harness.ConnectDom0Async();
        await CreateDomainAsync(xs, 5, "vm5");
        var provisioner = new ChannelProvisioner(xs);

        await provisioner.AddAsync(new DomainId(5), XlChannelSpec.Parse("connection=socket, name=a.b.one, path=/run/a"), Ct).WaitAsync(Timeout, Ct);
        var pty = await provisioner.AddAsync(new DomainId(5), XlChannelSpec.Parse("connection=pty, name=a.b.two"), Ct).WaitAsync(Timeout, Ct);

        Assert.Equal(2, pty.Devid);
        Assert.Equal("pty", await xs.ReadAsync("/local/domain/5/device/console/2/output", Ct));
        Assert.Equal("pty", await xs.ReadAsync("/local/domain/0/backend/console/5/2/connection", Ct));
        Assert.Null(await xs.ReadAsync("/local/domain/0/backend/console/5/2/path", Ct));
        Assert.Equal(["a.b.one", "a.b.two"], (await provisioner.ListAsync(new DomainId(5), Ct)).Select(c => c.Name));
    }

    [Fact]
    public async Task AddAsync_DuplicateName_Refused()
    {
        await using var harness = await XenStoreHarness.StartAsync();
        var xs = await harness.ConnectDom0Async();
        await CreateDomainAsync(xs, 5, "vm5");
        var provisioner = new ChannelProvisioner(xs);
        await provisioner.AddAsync(new DomainId(5), XlChannelSpec.Parse("connection=pty, name=a.b.one"), Ct);

        var error = await Assert.ThrowsAsync<ChannelProvisioningException>(
            () => provisioner.AddAsync(new DomainId(5), XlChannelSpec.Parse("connection=pty, name=a.b.one"), Ct));

        Assert.Contains("already has a channel named \"a.b.one\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddAsync_PastDevid9_RefusedWithReason()
    {
        await using var harness = await XenStoreHarness.StartAsync();
        var xs = await harness.ConnectDom0Async();
        await CreateDomainAsync(xs, 5, "vm5");
        var provisioner = new ChannelProvisioner(xs);
        for (var i = 1; i <= 9; i++)
        {
            await provisioner.AddAsync(new DomainId(5), XlChannelSpec.Parse($"connection=pty, name=a.b.c{i}"), Ct).WaitAsync(Timeout, Ct);
        }

        var error = await Assert.ThrowsAsync<ChannelProvisioningException>(
            () => provisioner.AddAsync(new DomainId(5), XlChannelSpec.Parse("connection=pty, name=a.b.c10"), Ct));

        Assert.Contains("hvc_xen", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolveDomainAsync_ByName_FindsDomid()
    {
        await using var harness = await XenStoreHarness.StartAsync();
        var xs = await harness.ConnectDom0Async();
        await CreateDomainAsync(xs, 5, "vm5");
        await CreateDomainAsync(xs, 7, "vm7");
        var provisioner = new ChannelProvisioner(xs);

        Assert.Equal(new DomainId(7), await provisioner.ResolveDomainAsync("vm7", Ct));
        Assert.Equal(new DomainId(5), await provisioner.ResolveDomainAsync("5", Ct));
        await Assert.ThrowsAsync<ChannelProvisioningException>(() => provisioner.ResolveDomainAsync("nope", Ct));
        await Assert.ThrowsAsync<ChannelProvisioningException>(() => provisioner.ResolveDomainAsync("9", Ct));
    }

    [Fact]
    public async Task RemoveAsync_ByName_RemovesBothDirectoriesAndFreesDevid()
    {
        await using var harness = await XenStoreHarness.StartAsync();
        var xs = await harness.ConnectDom0Async();
        await CreateDomainAsync(xs, 5, "vm5");
        var provisioner = new ChannelProvisioner(xs);
        await provisioner.AddAsync(new DomainId(5), XlChannelSpec.Parse("connection=pty, name=a.b.one"), Ct);
        await provisioner.AddAsync(new DomainId(5), XlChannelSpec.Parse("connection=pty, name=a.b.two"), Ct);
        await using var watch = await xs.WatchAsync("/local/domain/0/backend/console/5/1/state", cancellationToken: Ct);

        var removed = await provisioner.RemoveAsync(new DomainId(5), "a.b.one", Ct).WaitAsync(Timeout, Ct);

        Assert.Equal(1, removed.Devid);
        Assert.Null(await xs.ReadAsync("/local/domain/5/device/console/1", Ct));
        Assert.Null(await xs.ReadAsync("/local/domain/0/backend/console/5/1", Ct));
        var again = await provisioner.AddAsync(new DomainId(5), XlChannelSpec.Parse("connection=pty, name=a.b.three"), Ct);
        Assert.Equal(1, again.Devid);
        await Assert.ThrowsAsync<ChannelProvisioningException>(() => provisioner.RemoveAsync(new DomainId(5), "a.b.one", Ct));
    }

    [Theory]
    [InlineData("device/console/1/name")]
    [InlineData("device/console/1/type")]
    [InlineData("device/console/1/output")]
    [InlineData("device/console/1/tty")]
    [InlineData("/local/domain/0/backend/console/5/1/path")]
    [InlineData("/local/domain/0/backend/console/5/1/name")]
    public async Task GuestDomain_RewritesReadOnlyNode_EACCES(string path)
    {
        await using var harness = await XenStoreHarness.StartAsync();
        var xs = await harness.ConnectDom0Async();
        await CreateDomainAsync(xs, 5, "vm5");
        await new ChannelProvisioner(xs).AddAsync(new DomainId(5), XlChannelSpec.Parse("connection=socket, name=a.b.one, path=/run/a"), Ct);
        var guest = await harness.ConnectDomainAsync(5);

        var error = await Assert.ThrowsAsync<XenStoreException>(() => guest.WriteAsync(path, "forged", Ct).WaitAsync(Timeout, Ct));

        Assert.Equal(XsErrorCode.EACCES, error.Error);
    }

    [Fact]
    public async Task GuestDomain_WritesItsOwnFrontendNodes_Allowed()
    {
        await using var harness = await XenStoreHarness.StartAsync();
        var xs = await harness.ConnectDom0Async();
        await CreateDomainAsync(xs, 5, "vm5");
        await new ChannelProvisioner(xs).AddAsync(new DomainId(5), XlChannelSpec.Parse("connection=pty, name=a.b.one"), Ct);
        var guest = await harness.ConnectDomainAsync(5);

        await guest.WriteAsync("device/console/1/ring-ref", "8", Ct).WaitAsync(Timeout, Ct);
        await guest.WriteAsync("device/console/1/state", "3", Ct).WaitAsync(Timeout, Ct);

        Assert.Equal("3", await xs.ReadAsync("/local/domain/5/device/console/1/state", Ct));
        Assert.Equal("a.b.one", await guest.ReadAsync("device/console/1/name", Ct));
    }

    internal static async Task CreateDomainAsync(XenStoreClient xs, ushort domid, string name)
    {
        var home = "/local/domain/" + domid;
        await xs.WriteAsync(home, "", Ct);
        await xs.SetPermissionsAsync(home, [new XsPermission(XsAccess.None, new DomainId(domid))], Ct);
        await xs.WriteAsync(home + "/name", name, Ct);
    }

    internal static async Task AssertMatchesLibxlAsync(XenStoreOperations xs, ushort domain, ushort backend, int devid, string name, string path)
    {
        foreach (var (node, value, perms) in LibxlChannelTable.ForSocket(domain, backend, devid, name, path))
        {
            Assert.Equal((node, value), (node, await xs.ReadAsync(node, Ct)));
            Assert.Equal((node, perms), (node, await PermsAsync(xs, node)));
        }

        Assert.Equal(LibxlChannelTable.EntriesOf('F'), (await xs.DirectoryAsync(LibxlChannelTable.FrontendPath(domain, devid), Ct)).Order(StringComparer.Ordinal));
        Assert.Equal(LibxlChannelTable.EntriesOf('B'), (await xs.DirectoryAsync(LibxlChannelTable.BackendPath(domain, backend, devid), Ct)).Order(StringComparer.Ordinal));
    }

    private static async Task<string> PermsAsync(XenStoreOperations xs, string path) =>
        string.Join(",", await xs.GetPermissionsAsync(path, Ct));
}
