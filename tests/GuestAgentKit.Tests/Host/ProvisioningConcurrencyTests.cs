using GuestAgentKit.Channels.Xl;
using GuestAgentKit.Host.Provisioning;
using GuestAgentKit.Tests.XenStore;
using GuestAgentKit.Xen;
using GuestAgentKit.XenStore;

namespace GuestAgentKit.Tests.Host;

/// <summary>Provisioning where xenstore is not as libxl left it: parents already gone, forged frontend nodes, and
/// concurrent provisioners whose transactions conflict.</summary>
public sealed class ProvisioningConcurrencyTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RemoveAsync_BackendDirectoryAndParentGone_RemovesFrontend()
    {
        await using var harness = await XenStoreHarness.StartAsync();
        var xs = await harness.ConnectDom0Async();
        await ProvisioningTests.CreateDomainAsync(xs, 5, "vm5");
        var provisioner = new ChannelProvisioner(xs);
        await provisioner.AddAsync(new DomainId(5), XlChannelSpec.Parse("connection=pty, name=a.b.one"), Ct);
        await xs.RemoveAsync("/local/domain/0/backend/console/5", Ct); // RM of .../5/1 now answers ENOENT

        var removed = await provisioner.RemoveAsync(new DomainId(5), "a.b.one", Ct).WaitAsync(Timeout, Ct);

        Assert.Equal(1, removed.Devid);
        Assert.Null(await xs.ReadAsync("/local/domain/5/device/console/1", Ct));
        Assert.Empty(await provisioner.ListAsync(new DomainId(5), Ct));
    }

    [Fact]
    public async Task AddAsync_NoBackendTreeYet_WritesBothDirectories()
    {
        await using var harness = await XenStoreHarness.StartAsync();
        var xs = await harness.ConnectDom0Async();
        await ProvisioningTests.CreateDomainAsync(xs, 5, "vm5");
        Assert.Null(await xs.ReadAsync("/local/domain/0/backend", Ct)); // the rm before mkdir meets a missing parent

        var info = await new ChannelProvisioner(xs).AddAsync(new DomainId(5), XlChannelSpec.Parse("connection=pty, name=a.b.one"), Ct).WaitAsync(Timeout, Ct);

        Assert.Equal("a.b.one", await xs.ReadAsync(info.BackendPath + "/name", Ct));
        Assert.Equal("a.b.one", await xs.ReadAsync(info.FrontendPath + "/name", Ct));
    }

    [Fact]
    public async Task RemoveAsync_GuestForgedBackendPath_LeavesOtherDomainsChannel()
    {
        await using var harness = await XenStoreHarness.StartAsync();
        var xs = await harness.ConnectDom0Async();
        await ProvisioningTests.CreateDomainAsync(xs, 5, "vm5");
        await ProvisioningTests.CreateDomainAsync(xs, 7, "vm7");
        var provisioner = new ChannelProvisioner(xs);
        await provisioner.AddAsync(new DomainId(5), XlChannelSpec.Parse("connection=pty, name=a.b.one"), Ct);
        await provisioner.AddAsync(new DomainId(7), XlChannelSpec.Parse("connection=pty, name=a.b.victim"), Ct);
        var guest = await harness.ConnectDomainAsync(5);
        await guest.WriteAsync("device/console/1/backend", "/local/domain/0/backend/console/7/1", Ct); // guest-writable (libxl)

        var removed = await provisioner.RemoveAsync(new DomainId(5), "a.b.one", Ct).WaitAsync(Timeout, Ct);

        Assert.Equal("/local/domain/0/backend/console/5/1", removed.BackendPath);
        Assert.Null(await xs.ReadAsync("/local/domain/0/backend/console/5/1", Ct));
        Assert.Equal("a.b.victim", await xs.ReadAsync("/local/domain/0/backend/console/7/1/name", Ct));
        Assert.Equal("1", await xs.ReadAsync("/local/domain/0/backend/console/7/1/state", Ct));
    }

    [Fact]
    public async Task AddAsync_NineAtOnceOnSeparateConnections_AllAddedWithDistinctDevids()
    {
        await using var harness = await XenStoreHarness.StartAsync();
        var setup = await harness.ConnectDom0Async();
        await ProvisioningTests.CreateDomainAsync(setup, 5, "vm5");
        var connections = new List<XenStoreClient>();
        for (var i = 0; i < Limits.ChannelMaxDevid; i++)
        {
            connections.Add(await harness.ConnectDom0Async());
        }

        // Each provisioner reads the same console directories, so all but one commit per round get EAGAIN and retry.
        var added = await Task.WhenAll(connections.Select((xs, i) =>
            new ChannelProvisioner(xs).AddAsync(new DomainId(5), XlChannelSpec.Parse($"connection=pty, name=a.b.c{i}"), Ct))).WaitAsync(Timeout, Ct);

        Assert.Equal(Enumerable.Range(1, Limits.ChannelMaxDevid), added.Select(c => c.Devid).Order());
        var listed = await new ChannelProvisioner(setup).ListAsync(new DomainId(5), Ct);
        Assert.Equal(added.Select(c => (c.Devid, c.Name)).OrderBy(c => c.Devid), listed.Select(c => (c.Devid, c.Name)));
    }

    [Fact]
    public async Task AddAsync_OneChannelIntoEachOfManyDomainsAtOnce_NoneRunsOutOfRetries()
    {
        const int domains = 3 * Limits.XenStoreTransactMaxAttempts / 2; // more than the retry limit if they all contended
        await using var harness = await XenStoreHarness.StartAsync();
        var setup = await harness.ConnectDom0Async();
        var connections = new List<XenStoreClient>();
        for (var i = 1; i <= domains; i++)
        {
            await ProvisioningTests.CreateDomainAsync(setup, (ushort)i, $"vm{i}");
            connections.Add(await harness.ConnectDom0Async());
        }

        var added = await Task.WhenAll(connections.Select((xs, i) =>
            new ChannelProvisioner(xs).AddAsync(new DomainId((ushort)(i + 1)), XlChannelSpec.Parse("connection=pty, name=a.b.agent"), Ct))).WaitAsync(Timeout, Ct);

        Assert.All(added, c => Assert.Equal(1, c.Devid));
        Assert.Equal(domains, (await setup.DirectoryAsync("/local/domain/0/backend/console", Ct)).Count);
    }
}
