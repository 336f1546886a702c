using System.Security.Cryptography;
using GuestAgentKit.Host.Provisioning;
using GuestAgentKit.Interop.Tests.Harness;
using GuestAgentKit.Interop.Tests.RealXen;
using GuestAgentKit.Loopback;
using GuestAgentKit.Posix;
using GuestAgentKit.Xen;
using GuestAgentKit.Xen.Platform.Loopback;
using GuestAgentKit.XenStore;
using GuestAgentKit.XenStore.Wire;

namespace GuestAgentKit.Interop.Tests.Loopback;

/// <summary>The loopback toolstack and guest kernel emulator against Debian's real C xenstored and oxenstored on the same root.</summary>
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

    [Theory]
    [InlineData(XenStoredKind.C)]
    [InlineData(XenStoredKind.OCaml)]
    public async Task Channel_RealXenStored_EmulatorConnectsAndBytesFlowThroughBackend(XenStoredKind kind)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var loopback = await RealXenLoopback.StartAsync(kind, ct);
        var domain = await loopback.Xen.CreateDomainAsync("chan", null, ct).WaitAsync(RealXenLoopback.Timeout, ct);
        var xs = await loopback.Store.ConnectAsync(ct).WaitAsync(RealXenLoopback.Timeout, ct);
        await using var backend = InProcessBackend.Start(xs, new LoopbackPlatform(loopback.Root, DomainId.Dom0));

        var (channel, socket) = await loopback.AddSocketChannelAsync(domain.Id, "org.example.real.1", ct);
        await loopback.WaitConnectedAsync(channel, ct);

        // What the emulated hvc_xen published, through the real daemon.
        var connected = await new ChannelProvisioner(loopback.Dom0).FindAsync(domain.Id, "org.example.real.1", ct).WaitAsync(RealXenLoopback.Timeout, ct);
        Assert.True(uint.TryParse(connected.RingRef, out var ringRef) && ringRef >= 8, $"ring-ref {connected.RingRef}");
        Assert.True(uint.TryParse(connected.EventChannel, out var port) && port > 0, $"port {connected.EventChannel}");
        Assert.Equal(XenbusState.Connected, connected.FrontendState);
        Assert.Equal(XenbusState.Connected, connected.BackendState);
        Assert.Contains(Path.Combine(domain.GuestDirectory, "hvc1"), domain.ConsoleDevices());

        await using var hvc1 = Tty.OpenRaw(Path.Combine(domain.GuestDirectory, "hvc1"));
        await using var client = await RealXenLoopback.ConnectClientAsync(socket, ct);
        var fromGuest = RandomNumberGenerator.GetBytes(256 << 10);
        var fromDom0 = RandomNumberGenerator.GetBytes(256 << 10);
        var received = await Task.WhenAll(
            ByteTransfer.SendAsync(hvc1, fromGuest, client, ct),
            ByteTransfer.SendAsync(client, fromDom0, hvc1, ct)).WaitAsync(TimeSpan.FromMinutes(1), ct);

        Assert.True(fromGuest.AsSpan().SequenceEqual(received[0]), "guest bytes arrived changed on the channel socket");
        Assert.True(fromDom0.AsSpan().SequenceEqual(received[1]), "client bytes arrived changed on hvc1");
    }
}
