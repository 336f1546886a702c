using System.Diagnostics;
using GuestAgentKit.Xen;
using GuestAgentKit.Xen.Platform;
using GuestAgentKit.Xen.Platform.Loopback;
using GuestAgentKit.Xen.Rings;

namespace GuestAgentKit.Tests.Xen;

public sealed class LoopbackPlatformTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly LoopbackPeers _xen = new("loopback-test-poller");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _xen.Dispose();

    [Fact]
    public void MapGrant_BothEnds_SeeEachOthersWrites()
    {
        var (grant, frontend) = _xen.Guest.GrantPage(DomainId.Dom0);
        using (frontend)
        using (var backend = _xen.Dom0.MapGrant(LoopbackRoot.Guest1, grant))
        {
            Assert.Equal(GrantRef.FirstFree, grant.Value);
            Assert.True(backend.Page.Slice(0, SharedPage.Size).ToArray().All(b => b == 0));

            frontend.Page.WriteUInt32Volatile(3084, 0xDEADBEEF);
            backend.Page.Slice(100, 3).Fill(7);

            Assert.Equal(0xDEADBEEFu, backend.Page.ReadUInt32Volatile(3084));
            Assert.Equal([7, 7, 7], frontend.Page.Slice(100, 3).ToArray());
        }

        Assert.Equal(SharedPage.Size, new FileInfo(_xen.Root.File("grants", "3", "8")).Length);
    }

    [Fact]
    public void GrantPage_Twice_AllocatesNextRef()
    {
        var (first, a) = _xen.Guest.GrantPage(DomainId.Dom0);
        var (second, b) = _xen.Guest.GrantPage(DomainId.Dom0);
        a.Dispose();
        b.Dispose();

        Assert.Equal(8u, first.Value);
        Assert.Equal(9u, second.Value);
    }

    [Fact]
    public void GrantReserved_XenStoreRef_MapsAtRefOne()
    {
        using var frontend = _xen.Guest.GrantReserved(GrantRef.ReservedXenStore, DomainId.Dom0);
        using var backend = _xen.Dom0.MapGrant(LoopbackRoot.Guest1, GrantRef.ReservedXenStore);
        frontend.Page.WriteUInt32Volatile(XenStoreDomainInterface.ReqProdOffset, 5);

        Assert.Equal(5u, backend.Page.ReadUInt32Volatile(XenStoreDomainInterface.ReqProdOffset));
        Assert.True(File.Exists(_xen.Root.File("grants", "3", "1")));
    }

    [Fact]
    public void MapGrant_MissingDomainGrantOrWrongSize_ThrowsXenPlatformException()
    {
        var missingDomain = Assert.Throws<XenPlatformException>(() => _xen.Dom0.MapGrant(new DomainId(9), new GrantRef(8)));
        Assert.Contains("domain 9 does not exist", missingDomain.Message, StringComparison.Ordinal);

        var missingGrant = Assert.Throws<XenPlatformException>(() => _xen.Dom0.MapGrant(LoopbackRoot.Guest1, new GrantRef(8)));
        Assert.Contains("no such grant", missingGrant.Message, StringComparison.Ordinal);

        Directory.CreateDirectory(_xen.Root.File("grants", "3"));
        File.WriteAllBytes(_xen.Root.File("grants", "3", "12"), new byte[100]);
        var wrongSize = Assert.Throws<XenPlatformException>(() => _xen.Dom0.MapGrant(LoopbackRoot.Guest1, new GrantRef(12)));
        Assert.Contains("100 bytes", wrongSize.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BindInterdomain_NotifyBothWays_WakesTheOtherEnd()
    {
        using var frontend = _xen.Guest.AllocateUnbound(DomainId.Dom0);
        using var backend = _xen.Dom0.BindInterdomain(LoopbackRoot.Guest1, frontend.LocalPort);

        Assert.Equal("0 1\n", File.ReadAllText(_xen.Root.File("evtchn", "3", $"{frontend.LocalPort}.peer")));
        Assert.Equal($"3 {frontend.LocalPort}\n", File.ReadAllText(_xen.Root.File("evtchn", "0", $"{backend.LocalPort}.peer")));

        var backendWait = backend.WaitAsync(Ct).AsTask();
        frontend.Notify();
        await backendWait.WaitAsync(Timeout, Ct);

        var frontendWait = frontend.WaitAsync(Ct).AsTask();
        backend.Notify();
        await frontendWait.WaitAsync(Timeout, Ct);
    }

    [Fact]
    public async Task Notify_ManyBeforeWait_CoalesceIntoOneEvent()
    {
        using var frontend = _xen.Guest.AllocateUnbound(DomainId.Dom0);
        using var backend = _xen.Dom0.BindInterdomain(LoopbackRoot.Guest1, frontend.LocalPort);
        for (var i = 0; i < 100_000; i++)
        {
            frontend.Notify(); // the FIFO fills; EAGAIN means "already pending" and must not throw
        }

        await backend.WaitAsync(Ct).AsTask().WaitAsync(Timeout, Ct);

        var second = backend.WaitAsync(Ct).AsTask();
        Assert.False(second.IsCompleted); // all earlier notifications were consumed by the first wait
        frontend.Notify();
        await second.WaitAsync(Timeout, Ct);
    }

    [Fact]
    public async Task WaitAsync_Cancelled_ThrowsAndChannelStaysUsable()
    {
        using var frontend = _xen.Guest.AllocateUnbound(DomainId.Dom0);
        using var backend = _xen.Dom0.BindInterdomain(LoopbackRoot.Guest1, frontend.LocalPort);
        using var cts = new CancellationTokenSource();

        var cancelled = backend.WaitAsync(cts.Token).AsTask();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(Timeout, Ct));

        var next = backend.WaitAsync(Ct).AsTask();
        frontend.Notify();
        await next.WaitAsync(Timeout, Ct);
    }

    [Fact]
    public async Task Dispose_RemovesPortFilesAndFailsPendingWait()
    {
        var frontend = _xen.Guest.AllocateUnbound(DomainId.Dom0);
        var backend = _xen.Dom0.BindInterdomain(LoopbackRoot.Guest1, frontend.LocalPort);
        var pending = backend.WaitAsync(Ct).AsTask();
        var backendPort = backend.LocalPort.ToString();

        backend.Dispose();
        frontend.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => pending.WaitAsync(Timeout, Ct));
        Assert.Empty(Directory.GetFileSystemEntries(_xen.Root.File("evtchn", "0")));
        Assert.Empty(Directory.GetFileSystemEntries(_xen.Root.File("evtchn", "3")));
        Assert.Equal("1", backendPort);
    }

    [Fact]
    public void BindInterdomain_PortAllocatedForAnotherDomain_Throws()
    {
        using var frontend = _xen.Guest.AllocateUnbound(new DomainId(7));

        var error = Assert.Throws<XenPlatformException>(() => _xen.Dom0.BindInterdomain(LoopbackRoot.Guest1, frontend.LocalPort));

        Assert.Contains("allocated for domain '7'", error.Message, StringComparison.Ordinal);
        Assert.Throws<XenPlatformException>(() => _xen.Dom0.BindInterdomain(LoopbackRoot.Guest1, new EventChannelPort(99)));
    }

    [Fact]
    public async Task Notify_BeforeBind_IsDropped_AfterBackendRestart_ReachesNewPort()
    {
        using var frontend = _xen.Guest.AllocateUnbound(DomainId.Dom0);
        frontend.Notify(); // nobody bound: dropped, no exception

        using var other = _xen.Guest.AllocateUnbound(DomainId.Dom0);
        var first = _xen.Dom0.BindInterdomain(LoopbackRoot.Guest1, frontend.LocalPort);
        var wait = first.WaitAsync(Ct).AsTask();
        frontend.Notify();
        await wait.WaitAsync(Timeout, Ct);
        first.Dispose();

        // Another channel takes the freed port, so the restarted backend binds from a different one.
        using var blocker = _xen.Dom0.BindInterdomain(LoopbackRoot.Guest1, other.LocalPort);
        Assert.Equal(first.LocalPort, blocker.LocalPort);
        using var restarted = new LoopbackPlatform(_xen.Root.Path, DomainId.Dom0, _xen.Poller);
        using var second = restarted.BindInterdomain(LoopbackRoot.Guest1, frontend.LocalPort);
        Assert.NotEqual(first.LocalPort, second.LocalPort);

        var secondWait = second.WaitAsync(Ct).AsTask();
        frontend.Notify();
        await secondWait.WaitAsync(Timeout, Ct);
    }

    [Fact]
    public void BindInterdomain_AfterAnotherProcessFreedALowerPort_ContinuesAfterItsLastPort()
    {
        var frontends = Enumerable.Range(0, 4).Select(_ => _xen.Guest.AllocateUnbound(DomainId.Dom0)).ToList();
        using var other = new LoopbackPlatform(_xen.Root.Path, DomainId.Dom0, _xen.Poller); // another backend process
        var theirs = other.BindInterdomain(LoopbackRoot.Guest1, frontends[0].LocalPort);
        using var first = _xen.Dom0.BindInterdomain(LoopbackRoot.Guest1, frontends[1].LocalPort);
        using var second = _xen.Dom0.BindInterdomain(LoopbackRoot.Guest1, frontends[2].LocalPort);
        theirs.Dispose();

        using var third = _xen.Dom0.BindInterdomain(LoopbackRoot.Guest1, frontends[3].LocalPort);

        Assert.Equal([1u, 2u, 3u], new[] { theirs.LocalPort.Value, first.LocalPort.Value, second.LocalPort.Value });
        Assert.Equal(4u, third.LocalPort.Value); // not the lower port 1 the other process freed: no rescan from 1 per bind
        frontends.ForEach(f => f.Dispose());
    }

    [Fact]
    public void Allocate_FromTheLastPortWhenItIsTaken_WrapsAroundToTheLowestFree()
    {
        var paths = new LoopbackPaths(_xen.Root.Path);
        using var last = LoopbackEventChannel.Allocate(paths, DomainId.Dom0, _xen.Poller, onDisposed: null, firstTry: Limits.LoopbackEventChannelPorts - 1);
        using var wrapped = LoopbackEventChannel.Allocate(paths, DomainId.Dom0, _xen.Poller, onDisposed: null, firstTry: Limits.LoopbackEventChannelPorts - 1);

        Assert.Equal(Limits.LoopbackEventChannelPorts - 1u, last.LocalPort.Value);
        Assert.Equal(1u, wrapped.LocalPort.Value);
    }

    [Fact]
    public async Task ConsoleRing_OverRingStreams_Moves1MiBIntactEachWay()
    {
        var (grant, frontendPage) = _xen.Guest.GrantPage(DomainId.Dom0);
        using var frontendMapping = frontendPage;
        using var backendMapping = _xen.Dom0.MapGrant(LoopbackRoot.Guest1, grant);
        using var frontendChannel = _xen.Guest.AllocateUnbound(DomainId.Dom0);
        using var backendChannel = _xen.Dom0.BindInterdomain(LoopbackRoot.Guest1, frontendChannel.LocalPort);
        await using var guest = new RingStream(ConsoleRing.Frontend(frontendMapping.Page), frontendChannel);
        await using var host = new RingStream(ConsoleRing.Backend(backendMapping.Page), backendChannel);
        var up = RandomBytes(1 << 20, 1);
        var down = RandomBytes(1 << 20, 2);

        var hostReads = ReadExactlyAsync(host, up.Length);
        var guestReads = ReadExactlyAsync(guest, down.Length);
        await Task.WhenAll(guest.WriteAsync(up, Ct).AsTask(), host.WriteAsync(down, Ct).AsTask(), hostReads, guestReads)
            .WaitAsync(TimeSpan.FromSeconds(30), Ct);

        Assert.Equal(up, await hostReads);
        Assert.Equal(down, await guestReads);
    }

    [Fact]
    public async Task RingStream_BrokenRing_FailsReadWithIOExceptionNamingIndices()
    {
        var (grant, frontendPage) = _xen.Guest.GrantPage(DomainId.Dom0);
        using var frontendMapping = frontendPage;
        using var backendMapping = _xen.Dom0.MapGrant(LoopbackRoot.Guest1, grant);
        using var frontendChannel = _xen.Guest.AllocateUnbound(DomainId.Dom0);
        using var backendChannel = _xen.Dom0.BindInterdomain(LoopbackRoot.Guest1, frontendChannel.LocalPort);
        await using var host = new RingStream(ConsoleRing.Backend(backendMapping.Page), backendChannel);
        var read = host.ReadAsync(new byte[16], Ct).AsTask();

        frontendMapping.Page.WriteUInt32Volatile(XenConsInterface.OutProdOffset, 99_999); // hostile guest
        frontendChannel.Notify();

        var error = await Assert.ThrowsAsync<IOException>(() => read.WaitAsync(Timeout, Ct));
        Assert.Contains("out_prod=99999", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RingStream_ReadCancelled_ThrowsAndStreamStaysUsable()
    {
        var (grant, frontendPage) = _xen.Guest.GrantPage(DomainId.Dom0);
        using var frontendMapping = frontendPage;
        using var backendMapping = _xen.Dom0.MapGrant(LoopbackRoot.Guest1, grant);
        using var frontendChannel = _xen.Guest.AllocateUnbound(DomainId.Dom0);
        using var backendChannel = _xen.Dom0.BindInterdomain(LoopbackRoot.Guest1, frontendChannel.LocalPort);
        await using var guest = new RingStream(ConsoleRing.Frontend(frontendMapping.Page), frontendChannel);
        await using var host = new RingStream(ConsoleRing.Backend(backendMapping.Page), backendChannel);
        using var cts = new CancellationTokenSource();
        var buffer = new byte[8];

        var cancelled = host.ReadAsync(buffer, cts.Token).AsTask();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(Timeout, Ct));

        var read = host.ReadAsync(buffer, Ct).AsTask();
        await guest.WriteAsync("ping"u8.ToArray(), Ct).AsTask().WaitAsync(Timeout, Ct);
        Assert.Equal(4, await read.WaitAsync(Timeout, Ct));
        Assert.Equal("ping"u8.ToArray(), buffer[..4]);
    }

    [Fact]
    public void PlatformDispose_UnbindsEveryChannel()
    {
        using var frontend = _xen.Guest.AllocateUnbound(DomainId.Dom0);
        var platform = new LoopbackPlatform(_xen.Root.Path, DomainId.Dom0, _xen.Poller);
        var channel = platform.BindInterdomain(LoopbackRoot.Guest1, frontend.LocalPort);
        Assert.True(File.Exists(_xen.Root.File("evtchn", "0", channel.LocalPort.ToString())));

        platform.Dispose();

        Assert.Empty(Directory.GetFileSystemEntries(_xen.Root.File("evtchn", "0")));
        Assert.Throws<ObjectDisposedException>(channel.Notify);
    }

    [Fact]
    public void EndGrant_RemovesPage_MapFailsButOldMappingStaysValid()
    {
        var (grant, frontend) = _xen.Guest.GrantPage(DomainId.Dom0);
        using (frontend)
        {
            using var backend = _xen.Dom0.MapGrant(LoopbackRoot.Guest1, grant);
            _xen.Guest.EndGrant(grant);

            Assert.Throws<XenPlatformException>(() => _xen.Dom0.MapGrant(LoopbackRoot.Guest1, grant));
            frontend.Page.WriteUInt32Volatile(0, 42);
            Assert.Equal(42u, backend.Page.ReadUInt32Volatile(0));
        }
    }

    [Fact]
    public async Task WaitAsync_NotifiedByAnotherProcess_Completes()
    {
        using var frontend = _xen.Guest.AllocateUnbound(DomainId.Dom0);
        using var backend = _xen.Dom0.BindInterdomain(LoopbackRoot.Guest1, frontend.LocalPort);
        var wait = backend.WaitAsync(Ct).AsTask();
        var fifo = _xen.Root.File("evtchn", "0", backend.LocalPort.ToString());

        using var writer = Process.Start(new ProcessStartInfo("sh", ["-c", "printf x > \"$1\"", "sh", fifo]))!;
        await writer.WaitForExitAsync(Ct).WaitAsync(Timeout, Ct);

        Assert.Equal(0, writer.ExitCode);
        await wait.WaitAsync(Timeout, Ct);
    }

    [Fact]
    public void DomainMarker_WriteReadRemove_RoundTrips()
    {
        var domain = new LoopbackDomain(_xen.Root.Path, new DomainId(5));
        var info = new LoopbackDomainInfo("web-1", Guid.NewGuid(), new EventChannelPort(1), new EventChannelPort(2));

        domain.WriteMarker(info);
        Assert.True(domain.Exists);
        Assert.Equal(info, domain.ReadMarker());
        Assert.Contains("xs-port=1\n", File.ReadAllText(_xen.Root.File("domains", "5")), StringComparison.Ordinal);

        domain.RemoveMarker();
        Assert.False(domain.Exists);
        Assert.Null(domain.ReadMarker());
    }

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static async Task<byte[]> ReadExactlyAsync(Stream stream, int length)
    {
        var buffer = new byte[length];
        await stream.ReadExactlyAsync(buffer, Ct);
        return buffer;
    }
}
