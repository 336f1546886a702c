using GuestAgentKit.Interop.Tests.RealXen;
using GuestAgentKit.Loopback;
using GuestAgentKit.XenStore;
using GuestAgentKit.XenStore.Wire;

namespace GuestAgentKit.Interop.Tests.Loopback;

/// <summary>The loopback toolstack and guest kernel emulator against Debian's real C xenstored on the same root.</summary>
public sealed class LoopbackRealXenStoredTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task CreateDomain_RealXenStored_GuestXenbusServedOverRingAndDestroyReleases()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var store = await RealXenStored.StartAsync(XenStoredKind.C, ct).WaitAsync(RealXenStored.StartTimeout, ct);
        var xen = await LoopbackXen.StartAsync(store.Root, new LoopbackXenOptions { ExternalXenStoredSocket = store.SocketPath }, ct).WaitAsync(Timeout, ct);
        await using (xen)
        {
            await using var dom0 = await XenStoreClient.ConnectAsync(XenStoreEndpoint.FromPath(store.SocketPath), ct).WaitAsync(Timeout, ct);
            await dom0.WriteAsync("/tool/gak-secret", "x", ct);
            var release = await dom0.WatchAsync("@releaseDomain", "rel", ct).WaitAsync(Timeout, ct);
            await using var releases = release.GetAsyncEnumerator(ct);
            Assert.True(await releases.MoveNextAsync().AsTask().WaitAsync(Timeout, ct));

            var entry = await xen.CreateDomainAsync("real", null, ct).WaitAsync(Timeout, ct);
            Assert.True(await dom0.IsDomainIntroducedAsync(entry.Id, ct));
            await using (var guest = await XenStoreClient.ConnectAsync(XenStoreEndpoint.FromPath(entry.XenbusPath), ct).WaitAsync(Timeout, ct))
            {
                Assert.Equal("real", await guest.ReadAsync("name", ct).WaitAsync(Timeout, ct));
                await guest.WriteAsync("data/greeting", "hi", ct).WaitAsync(Timeout, ct);
                var denied = await Assert.ThrowsAsync<XenStoreException>(() => guest.ReadAsync("/tool/gak-secret", ct).WaitAsync(Timeout, ct));
                Assert.Equal(XsErrorCode.EACCES, denied.Error);
            }

            Assert.Equal("hi", await dom0.ReadAsync($"/local/domain/{entry.Id}/data/greeting", ct));
            Assert.True(await xen.DestroyDomainAsync(entry.Id, ct).WaitAsync(Timeout, ct));
            Assert.True(await releases.MoveNextAsync().AsTask().WaitAsync(Timeout, ct));
            Assert.False(await dom0.IsDomainIntroducedAsync(entry.Id, ct));
            Assert.Null(await dom0.ReadAsync($"/local/domain/{entry.Id}/name", ct));
        }
    }
}
