using GuestAgentKit.Loopback.Toolstack;
using GuestAgentKit.Xen;
using GuestAgentKit.Xen.Platform.Loopback;

namespace GuestAgentKit.Tests.Loopback;

public sealed class LoopbackToolstackTests
{
    private static readonly TimeSpan Timeout = LoopbackTestXen.Timeout;

    [Fact]
    public async Task CreateDomain_Fresh_WritesLibxlNodesMarkerAndFiresIntroduce()
    {
        await using var lb = await LoopbackTestXen.StartAsync();
        var introduce = await lb.Dom0.WatchAsync("@introduceDomain", "intro", TestContext.Current.CancellationToken).WaitAsync(Timeout, TestContext.Current.CancellationToken);
        await using var enumerator = introduce.GetAsyncEnumerator(TestContext.Current.CancellationToken);
        Assert.True(await enumerator.MoveNextAsync().AsTask().WaitAsync(Timeout, TestContext.Current.CancellationToken)); // fires once at registration

        var uuid = Guid.NewGuid();
        var id = await lb.Xen.Toolstack.CreateDomainAsync("web", uuid, TestContext.Current.CancellationToken).WaitAsync(Timeout, TestContext.Current.CancellationToken);

        Assert.Equal(new DomainId(1), id);
        Assert.True(await enumerator.MoveNextAsync().AsTask().WaitAsync(Timeout, TestContext.Current.CancellationToken));
        var marker = new LoopbackDomain(lb.Root, id).ReadMarker();
        Assert.NotNull(marker);
        Assert.Equal("web", marker.Name);
        Assert.Equal(uuid, marker.Uuid);
        Assert.True(File.Exists(Path.Combine(lb.Root, "grants", "1", "0")));
        Assert.True(File.Exists(Path.Combine(lb.Root, "grants", "1", "1")));
        Assert.Equal("web", await lb.Dom0.ReadAsync("/local/domain/1/name", TestContext.Current.CancellationToken));
        Assert.Equal($"/vm/{uuid:D}", await lb.Dom0.ReadAsync("/local/domain/1/vm", TestContext.Current.CancellationToken));
        Assert.Equal("web", await lb.Dom0.ReadAsync($"/vm/{uuid:D}/name", TestContext.Current.CancellationToken));
        Assert.Equal("xenconsoled", await lb.Dom0.ReadAsync("/local/domain/1/console/type", TestContext.Current.CancellationToken));
        Assert.Equal(marker.ConsolePort!.Value.ToString(), await lb.Dom0.ReadAsync("/local/domain/1/console/port", TestContext.Current.CancellationToken));
        Assert.Equal(["n0", "r1"], (await lb.Dom0.GetPermissionsAsync("/local/domain/1", TestContext.Current.CancellationToken)).Select(p => p.ToString()));
        Assert.Equal(["n1"], (await lb.Dom0.GetPermissionsAsync("/local/domain/1/device", TestContext.Current.CancellationToken)).Select(p => p.ToString()));
        Assert.Equal(["n1", "r0"], (await lb.Dom0.GetPermissionsAsync("/local/domain/1/console", TestContext.Current.CancellationToken)).Select(p => p.ToString()));
        Assert.True(await lb.Dom0.IsDomainIntroducedAsync(id, TestContext.Current.CancellationToken));
        Assert.Equal(new DomainId(2), await lb.Xen.Toolstack.CreateDomainAsync("db", null, TestContext.Current.CancellationToken).WaitAsync(Timeout, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task DestroyDomain_Created_RemovesNodesFilesAndFiresRelease()
    {
        await using var lb = await LoopbackTestXen.StartAsync();
        var entry = await lb.Xen.CreateDomainAsync("web", null, TestContext.Current.CancellationToken).WaitAsync(Timeout, TestContext.Current.CancellationToken);
        Assert.True(File.Exists(entry.XenbusPath));
        var release = await lb.Dom0.WatchAsync("@releaseDomain", "rel", TestContext.Current.CancellationToken).WaitAsync(Timeout, TestContext.Current.CancellationToken);
        await using var enumerator = release.GetAsyncEnumerator(TestContext.Current.CancellationToken);
        Assert.True(await enumerator.MoveNextAsync().AsTask().WaitAsync(Timeout, TestContext.Current.CancellationToken));

        Assert.True(await lb.Xen.DestroyDomainAsync(entry.Id, TestContext.Current.CancellationToken).WaitAsync(Timeout, TestContext.Current.CancellationToken));

        Assert.True(await enumerator.MoveNextAsync().AsTask().WaitAsync(Timeout, TestContext.Current.CancellationToken));
        Assert.False(await lb.Dom0.IsDomainIntroducedAsync(entry.Id, TestContext.Current.CancellationToken));
        Assert.Null(await lb.Dom0.ReadAsync("/local/domain/1/name", TestContext.Current.CancellationToken));
        Assert.Null(await lb.Dom0.ReadAsync($"/vm/{entry.Info.Uuid:D}/name", TestContext.Current.CancellationToken));
        Assert.False(new LoopbackDomain(lb.Root, entry.Id).Exists);
        Assert.False(Directory.Exists(Path.Combine(lb.Root, "grants", "1")));
        Assert.False(Directory.Exists(Path.Combine(lb.Root, "evtchn", "1")));
        Assert.False(Directory.Exists(entry.GuestDirectory));
        Assert.Empty(LoopbackToolstack.ListDomains(lb.Root));
    }
}
