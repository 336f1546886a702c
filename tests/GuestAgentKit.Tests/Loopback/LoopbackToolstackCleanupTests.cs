using GuestAgentKit.Loopback.Toolstack;
using GuestAgentKit.Xen.Platform.Loopback;

namespace GuestAgentKit.Tests.Loopback;

/// <summary>Destroying a domain whose xenstore nodes are already (partly) gone, parents included.</summary>
public sealed class LoopbackToolstackCleanupTests
{
    private static readonly TimeSpan Timeout = LoopbackTestXen.Timeout;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task DestroyDomain_VmAndBackendTreesAlreadyGone_RemovesTheRest()
    {
        await using var lb = await LoopbackTestXen.StartAsync();
        var entry = await lb.Xen.CreateDomainAsync("web", null, Ct).WaitAsync(Timeout, Ct);
        await lb.Dom0.WriteAsync($"/local/domain/0/backend/console/{entry.Id}/1/state", "1", Ct);
        await lb.Dom0.RemoveAsync("/vm", Ct); // RM of /vm/<uuid> now answers ENOENT
        await lb.Dom0.RemoveAsync($"/local/domain/0/backend/console/{entry.Id}", Ct);

        Assert.True(await lb.Xen.DestroyDomainAsync(entry.Id, Ct).WaitAsync(Timeout, Ct));

        Assert.Null(await lb.Dom0.ReadAsync($"/local/domain/{entry.Id}", Ct));
        Assert.False(new LoopbackDomain(lb.Root, entry.Id).Exists);
        Assert.Empty(LoopbackToolstack.ListDomains(lb.Root));
    }

    [Fact]
    public async Task DestroyDomain_HomeRemovedWithItsParent_StillRemovesMarkerAndFiles()
    {
        await using var lb = await LoopbackTestXen.StartAsync();
        var entry = await lb.Xen.CreateDomainAsync("web", null, Ct).WaitAsync(Timeout, Ct);
        await lb.Dom0.RemoveAsync("/local/domain", Ct);

        Assert.True(await lb.Xen.DestroyDomainAsync(entry.Id, Ct).WaitAsync(Timeout, Ct));

        Assert.False(new LoopbackDomain(lb.Root, entry.Id).Exists);
        Assert.False(Directory.Exists(Path.Combine(lb.Root, "grants", entry.Id.ToString())));
    }

    [Fact]
    public async Task CreateDomain_FreshXenstoredWithoutLocalDomainOrVm_Succeeds()
    {
        await using var lb = await LoopbackTestXen.StartAsync();
        await lb.Dom0.RemoveAsync("/local", Ct);
        await lb.Dom0.RemoveAsync("/vm", Ct);

        var id = await lb.Xen.Toolstack.CreateDomainAsync("web", null, Ct).WaitAsync(Timeout, Ct);

        Assert.Equal("web", await lb.Dom0.ReadAsync($"/local/domain/{id}/name", Ct));
    }
}
