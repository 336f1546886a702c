using System.Security.Cryptography;
using GuestAgentKit.Interop.Tests.Harness;
using GuestAgentKit.Interop.Tests.RealXen;
using GuestAgentKit.Posix;
using GuestAgentKit.Streams;
using GuestAgentKit.Xen.Platform.Loopback;
using GuestAgentKit.Xen.Platform.Native;
using GuestAgentKit.Xen.Rings;
using GuestAgentKit.Xen;

namespace GuestAgentKit.Interop.Tests.NativePlatform;

/// <summary>
/// The real P/Invoke path: <see cref="NativeXenPlatform"/> loads the tests/native stand-ins (real sonames,
/// loopback convention) in this process and serves, as dom0, a console page and port that a
/// <see cref="LoopbackDomain"/> granted: both implementations of the convention must agree.
/// </summary>
public sealed class NativeXenPlatformOnStandInsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ConsoleRing_NativeBackendLoopbackFrontend_OneMiBEachWayIntact()
    {
        var standIns = await NativeStandIns.GetAsync(Ct).WaitAsync(RealXenStored.StartTimeout, Ct);
        var root = LoopbackDirectory.Create();
        try
        {
            var domain = new LoopbackDomain(root, new DomainId(9));
            domain.WriteMarker(new LoopbackDomainInfo("guest-9", Guid.NewGuid()));
            var (grant, frontPage) = domain.GrantPage(DomainId.Dom0);
            using var frontPageOwner = frontPage;
            using var frontChannel = domain.AllocateUnbound(DomainId.Dom0);

            CEnvironment.Set("GAK_LOOPBACK_DIR", root);
            CEnvironment.Set("GAK_LOOPBACK_DOMID", "0");
            using var platform = NativeXenPlatform.Open(standIns.Directory, DomainId.Dom0);
            var backPage = platform.MapGrant(domain.Id, grant);
            var backChannel = platform.BindInterdomain(domain.Id, frontChannel.LocalPort);
            Assert.Equal($"0 {backChannel.LocalPort}\n", File.ReadAllText(Path.Combine(root, "evtchn", "9", $"{frontChannel.LocalPort}.peer")));

            await using var backend = new OwningStream(new RingStream(ConsoleRing.Backend(backPage.Page), backChannel), backChannel, backPage);
            await using var frontend = new RingStream(ConsoleRing.Frontend(frontPage.Page), frontChannel);
            var guestOutput = RandomNumberGenerator.GetBytes(1 << 20);
            var guestInput = RandomNumberGenerator.GetBytes(1 << 20);

            // Both directions at once: out ring (2 KiB) guest -> dom0, in ring (1 KiB) dom0 -> guest.
            var received = await Task.WhenAll(
                ByteTransfer.SendAsync(frontend, guestOutput, backend, Ct),
                ByteTransfer.SendAsync(backend, guestInput, frontend, Ct)).WaitAsync(TimeSpan.FromSeconds(60), Ct);

            Assert.Equal(guestOutput, received[0]);
            Assert.Equal(guestInput, received[1]);
        }
        finally
        {
            LoopbackDirectory.Delete(root);
        }
    }

    [Fact]
    public async Task StandInGrantingSide_LoopbackPlatformBackend_PageAndEventsAgree()
    {
        var standIns = await NativeStandIns.GetAsync(Ct).WaitAsync(RealXenStored.StartTimeout, Ct);
        var root = LoopbackDirectory.Create();
        try
        {
            // The C side acts as domain 9 (read when its handles open), granting to dom0 as a frontend does.
            var domain = new LoopbackDomain(root, new DomainId(9));
            domain.WriteMarker(new LoopbackDomainInfo("guest-9", Guid.NewGuid()));
            CEnvironment.Set("GAK_LOOPBACK_DIR", root);
            CEnvironment.Set("GAK_LOOPBACK_DOMID", "9");
            using var c = new StandInGrantingDomain(standIns.Directory);
            var grant = c.SharePage(0);
            var port = c.BindUnbound(0);
            Assert.True(port > 0, "xenevtchn_bind_unbound_port failed");

            using var platform = new LoopbackPlatform(root, DomainId.Dom0);
            using var mapping = platform.MapGrant(domain.Id, new GrantRef(grant));
            using var channel = platform.BindInterdomain(domain.Id, new EventChannelPort((uint)port));

            // The same page from both ends.
            c.Fill(0x5A);
            Assert.All(mapping.Page.Slice(0, SharedPage.Size).ToArray(), b => Assert.Equal(0x5A, b));
            mapping.Page.Slice(100, 4).Fill(0xC3);
            Assert.Equal(0xC3, c.ByteAt(103));

            // dom0 (C#) -> domain 9 (C): the stand-in's descriptor becomes readable and names the port.
            channel.Notify();
            await FdPoller.Shared.WaitAsync(c.Fd, PollEvents.In, Ct).AsTask().Within();
            FdPoller.Shared.Forget(c.Fd);
            Assert.Equal(port, c.Pending());

            // domain 9 (C) -> dom0 (C#).
            var wait = channel.WaitAsync(Ct).AsTask();
            Assert.Equal(0, c.Notify(port));
            await wait.Within();
        }
        finally
        {
            CEnvironment.Set("GAK_LOOPBACK_DOMID", "0");
            LoopbackDirectory.Delete(root);
        }
    }
}
