using System.Globalization;
using GuestAgentKit.Interop.Tests.Harness;
using GuestAgentKit.Xen;
using GuestAgentKit.XenStore;
using GuestAgentKit.XenStore.Wire;

namespace GuestAgentKit.Interop.Tests.RealXenStoreClient;

/// <summary>
/// Our <see cref="XenStoreClient"/> against Debian's real C <c>xenstored</c> and OCaml <c>oxenstored</c>
/// (and, as the control, our embedded server on the same loopback), dom0 over the socket and an
/// unprivileged domain over its xenstore ring page.
/// </summary>
/// <remarks>The folder is not called XenStoreClient: that namespace would hide the type it tests.</remarks>
public sealed class XenStoreClientInteropTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(XenStoreServerKind.C)]
    [InlineData(XenStoreServerKind.OCaml)]
    [InlineData(XenStoreServerKind.Embedded)]
    public async Task NodeOperations_Dom0_ReadWriteDirectoryMkdirRemovePermissions(XenStoreServerKind kind)
    {
        await using var server = await XenStoreServer.StartAsync(kind, Ct);
        await using var xs = await server.ConnectAsync(Ct).Within();

        await xs.WriteAsync("/gak/a/b", "hello", Ct).Within();
        await xs.WriteAsync("/gak/a/c", new byte[] { 0, 1, 2, 255 }, Ct).Within();
        await xs.MkdirAsync("/gak/empty", Ct).Within();

        Assert.Equal("hello", await xs.ReadAsync("/gak/a/b", Ct).Within());
        Assert.Equal(new byte[] { 0, 1, 2, 255 }, await xs.ReadBytesAsync("/gak/a/c", Ct).Within());
        Assert.Equal(string.Empty, await xs.ReadAsync("/gak/empty", Ct).Within());
        Assert.Null(await xs.ReadAsync("/gak/missing", Ct).Within());
        Assert.Equal(["a", "empty"], (await xs.DirectoryAsync("/gak", Ct).Within()).Order(StringComparer.Ordinal));
        Assert.Equal(["b", "c"], (await xs.DirectoryAsync("/gak/a", Ct).Within()).Order(StringComparer.Ordinal));

        server.CreateDomains(3, 4);
        await xs.SetPermissionsAsync("/gak/a/b", [new XsPermission(XsAccess.None, new DomainId(3)), new XsPermission(XsAccess.Read, new DomainId(4))], Ct).Within();
        Assert.Equal(["n3", "r4"], (await xs.GetPermissionsAsync("/gak/a/b", Ct).Within()).Select(p => p.ToString()));

        await xs.RemoveAsync("/gak/a", Ct).Within();
        Assert.Null(await xs.ReadAsync("/gak/a/b", Ct).Within());
        Assert.Equal(["empty"], await xs.DirectoryAsync("/gak", Ct).Within());
        var error = await Assert.ThrowsAsync<XenStoreException>(() => xs.GetPermissionsAsync("/gak/a", Ct).Within());
        Assert.Equal(XsErrorCode.ENOENT, error.Error);
    }

    [Theory]
    [InlineData(XenStoreServerKind.C)]
    [InlineData(XenStoreServerKind.OCaml)]
    [InlineData(XenStoreServerKind.Embedded)]
    public async Task Watch_WriteFromAnotherClient_FiresInitiallyThenForTheChange(XenStoreServerKind kind)
    {
        await using var server = await XenStoreServer.StartAsync(kind, Ct);
        await using var watcher = await server.ConnectAsync(Ct).Within();
        await using var writer = await server.ConnectAsync(Ct).Within();

        await using var watch = await watcher.WatchAsync("/gak/w", "tok", Ct).Within();
        await using var events = watch.GetAsyncEnumerator(Ct);
        Assert.Equal(new XsWatchEvent("/gak/w", "tok"), await events.NextAsync());

        await writer.WriteAsync("/gak/w/x", "1", Ct).Within();
        Assert.Equal(new XsWatchEvent("/gak/w/x", "tok"), await events.NextAsync());
        await writer.RemoveAsync("/gak/w", Ct).Within();
        Assert.Equal(new XsWatchEvent("/gak/w", "tok"), await events.NextAsync());
    }

    [Theory]
    [InlineData(XenStoreServerKind.C)]
    [InlineData(XenStoreServerKind.OCaml)]
    [InlineData(XenStoreServerKind.Embedded)]
    public async Task Transaction_ConflictingWriteFromSecondClient_CommitFailsAndTransactAsyncRetries(XenStoreServerKind kind)
    {
        await using var server = await XenStoreServer.StartAsync(kind, Ct);
        await using var one = await server.ConnectAsync(Ct).Within();
        await using var two = await server.ConnectAsync(Ct).Within();
        await one.WriteAsync("/gak/counter", "0", Ct).Within();

        // A bare transaction: the other client's write in between makes the commit EAGAIN.
        await using (var tx = await one.StartTransactionAsync(Ct).Within())
        {
            Assert.Equal("0", await tx.ReadAsync("/gak/counter", Ct).Within());
            await tx.WriteAsync("/gak/counter", "from-tx", Ct).Within();
            Assert.Equal("0", await one.ReadAsync("/gak/counter", Ct).Within());
            await two.WriteAsync("/gak/counter", "5", Ct).Within();
            Assert.False(await tx.CommitAsync(Ct).Within());
        }

        Assert.Equal("5", await one.ReadAsync("/gak/counter", Ct).Within());

        // TransactAsync runs the body again after the conflict and commits the second time.
        var attempts = 0;
        var result = await one.TransactAsync(
            async (tx, ct) =>
            {
                attempts++;
                var value = int.Parse((await tx.ReadAsync("/gak/counter", ct))!, CultureInfo.InvariantCulture);
                if (attempts == 1)
                {
                    await two.WriteAsync("/gak/counter", "10", ct);
                }

                await tx.WriteAsync("/gak/counter", (value + 1).ToString(CultureInfo.InvariantCulture), ct);
                return value + 1;
            },
            cancellationToken: Ct).Within();

        Assert.Equal(2, attempts);
        Assert.Equal(11, result);
        Assert.Equal("11", await two.ReadAsync("/gak/counter", Ct).Within());
    }

    [Theory]
    [InlineData(XenStoreServerKind.C)]
    [InlineData(XenStoreServerKind.OCaml)]
    [InlineData(XenStoreServerKind.Embedded)]
    public async Task ManyRequestsInFlight_OneConnection_EveryReplyMatchesItsRequest(XenStoreServerKind kind)
    {
        await using var server = await XenStoreServer.StartAsync(kind, Ct);
        await using var xs = await server.ConnectAsync(Ct).Within();
        const int Count = 200;

        await Task.WhenAll(Enumerable.Range(0, Count).Select(i => xs.WriteAsync($"/gak/many/{i}", $"value-{i}", Ct))).Within();
        var values = await Task.WhenAll(Enumerable.Range(0, Count).Select(i => xs.ReadAsync($"/gak/many/{i}", Ct))).Within();

        Assert.Equal(Enumerable.Range(0, Count).Select(i => $"value-{i}"), values);
        Assert.Equal(Count, (await xs.DirectoryAsync("/gak/many", Ct).Within()).Count);
    }

    [Theory]
    [InlineData(XenStoreServerKind.C)]
    [InlineData(XenStoreServerKind.OCaml)]
    [InlineData(XenStoreServerKind.Embedded)]
    public async Task UnprivilegedDomain_OverItsRingPage_SeesItsOwnViewOnly(XenStoreServerKind kind)
    {
        await using var server = await XenStoreServer.StartAsync(kind, Ct);
        await using var dom0 = await server.ConnectAsync(Ct).Within();
        var id = new DomainId(5);
        Assert.Equal("/local/domain/5", await dom0.GetDomainPathAsync(id, Ct).Within());
        Assert.False(await dom0.IsDomainIntroducedAsync(id, Ct).Within());
        await dom0.WriteAsync("/tool/gak-secret", "dom0 only", Ct).Within();
        await using var released = await dom0.WatchAsync("@releaseDomain", "released", Ct).Within();
        await using var releasedEvents = released.GetAsyncEnumerator(Ct);
        Assert.Equal(new XsWatchEvent("@releaseDomain", "released"), await releasedEvents.NextAsync());

        await using var guest = await XenStoreGuest.IntroduceAsync(server.Root, id, dom0, Ct).Within();
        var xs = guest.Client;

        Assert.True(await dom0.IsDomainIntroducedAsync(id, Ct).Within());
        Assert.Equal("guest-5", await xs.ReadAsync("name", Ct).Within());
        Assert.Equal("guest-5", await xs.ReadAsync("/local/domain/5/name", Ct).Within());
        Assert.Equal("/local/domain/5", await xs.GetDomainPathAsync(id, Ct).Within());

        await xs.WriteAsync("data/greeting", "hello from the ring", Ct).Within();
        Assert.Equal("hello from the ring", await dom0.ReadAsync("/local/domain/5/data/greeting", Ct).Within());
        Assert.Equal(["n5"], (await dom0.GetPermissionsAsync("/local/domain/5/data/greeting", Ct).Within()).Select(p => p.ToString()));

        var denied = await Assert.ThrowsAsync<XenStoreException>(() => xs.WriteAsync("/tool/gak-secret", "forged", Ct).Within());
        Assert.Equal(XsErrorCode.EACCES, denied.Error);
        denied = await Assert.ThrowsAsync<XenStoreException>(() => xs.ReadAsync("/tool/gak-secret", Ct).Within());
        Assert.Equal(XsErrorCode.EACCES, denied.Error);
        Assert.Equal("dom0 only", await dom0.ReadAsync("/tool/gak-secret", Ct).Within());

        // A relative watch: events name relative paths, including changes dom0 makes.
        await using var watch = await xs.WatchAsync("data", "mine", Ct).Within();
        await using var events = watch.GetAsyncEnumerator(Ct);
        Assert.Equal(new XsWatchEvent("data", "mine"), await events.NextAsync());
        await dom0.WriteAsync("/local/domain/5/data/from-dom0", "1", Ct).Within();
        Assert.Equal(new XsWatchEvent("data/from-dom0", "mine"), await events.NextAsync());

        // Many requests in flight over the 1 KiB ring (more than the C daemon's 20 outstanding).
        var values = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => xs.ReadAsync("name", Ct))).Within();
        Assert.All(values, v => Assert.Equal("guest-5", v));

        // Unwatch while xenstored still serves the domain: XsWatch.DisposeAsync waits for the UNWATCH reply,
        // which a released domain never gets.
        await watch.DisposeAsync();

        // XS_RELEASE while the domain still exists: a removed marker would let the real daemons release it
        // on their own first (VIRQ_DOM_EXC), and RELEASE would then answer ENOENT.
        await dom0.ReleaseAsync(id, Ct).Within();
        Assert.Equal(new XsWatchEvent("@releaseDomain", "released"), await releasedEvents.NextAsync());
        Assert.False(await dom0.IsDomainIntroducedAsync(id, Ct).Within());
    }
}
