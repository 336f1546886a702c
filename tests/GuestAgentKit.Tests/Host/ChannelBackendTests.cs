using System.Net.Sockets;
using System.Text;
using GuestAgentKit.Host.Backend;
using GuestAgentKit.Host.Provisioning;
using GuestAgentKit.Xen;
using GuestAgentKit.Xen.Rings;

namespace GuestAgentKit.Tests.Host;

public sealed class ChannelBackendTests
{
    private static readonly TimeSpan Timeout = BackendHarness.Timeout;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Proxy_SequencedBytesBothWays_100Reconnects_NothingLostDuplicatedOrReordered()
    {
        const int Sessions = 100;
        const int GuestBytes = Sessions * 12000; // sessions take ~6000 each: every session gets guest bytes
        const int ClientBytes = Sessions * 3000;
        await using var h = await BackendHarness.StartAsync();
        var domain = await h.CreateDomainAsync(5);
        var (info, socketPath) = await h.AddSocketChannelAsync(domain, "org.example.seq.1");
        var frontend = await h.ConnectFrontendAsync(info);
        await h.WaitForValueAsync(info.BackendPath + "/state", "4");

        var guestWriter = Task.Run(async () =>
        {
            var random = new Random(1);
            for (var sent = 0; sent < GuestBytes;)
            {
                var chunk = Sequence(sent, Math.Min(random.Next(1, 3000), GuestBytes - sent));
                await frontend.Stream.WriteAsync(chunk, Ct);
                sent += chunk.Length;
            }
        }, Ct);
        var guestReader = Task.Run(async () =>
        {
            var buffer = new byte[4096];
            var received = 0;
            while (received < ClientBytes)
            {
                var n = await frontend.Stream.ReadAsync(buffer, Ct);
                Assert.Equal(Sequence(received, n), buffer[..n]);
                received += n;
            }
        }, Ct);

        var random = new Random(2);
        var fromGuest = 0;
        var toGuest = 0;
        for (var session = 0; session <= Sessions; session++)
        {
            using var client = await BackendHarness.ConnectClientAsync(socketPath);
            var sendNow = session == Sessions ? ClientBytes - toGuest : Math.Min(random.Next(0, 6000), ClientBytes - toGuest);
            var send = client.SendAsync(Sequence(toGuest, sendNow), Ct).AsTask();
            var target = session == Sessions ? GuestBytes : Math.Min(GuestBytes, fromGuest + random.Next(1, 12000));
            var buffer = new byte[8192];
            while (fromGuest < target)
            {
                var n = await client.ReceiveAsync(buffer, Ct).AsTask().WaitAsync(Timeout, Ct);
                Assert.NotEqual(0, n);
                Assert.Equal(Sequence(fromGuest, n), buffer[..n]);
                fromGuest += n;
            }

            await send.WaitAsync(Timeout, Ct);
            toGuest += sendNow;

            // End the session losslessly: no more bytes may be sent to us; what is already here is ours.
            client.Shutdown(SocketShutdown.Receive);
            int tail;
            while ((tail = await client.ReceiveAsync(buffer, Ct).AsTask().WaitAsync(Timeout, Ct)) > 0)
            {
                Assert.Equal(Sequence(fromGuest, tail), buffer[..tail]);
                fromGuest += tail;
            }
        }

        await guestWriter.WaitAsync(Timeout, Ct);
        await guestReader.WaitAsync(Timeout, Ct);
        Assert.Equal(GuestBytes, fromGuest);
    }

    [Fact]
    public async Task Backend_BusyChannelKeepsSpinning_NeighbourOnTheSameBackendIsStillServed()
    {
        await using var h = await BackendHarness.StartAsync();
        var (busyInfo, busySocket) = await h.AddSocketChannelAsync(await h.CreateDomainAsync(5), "org.example.busy.1");
        var (quietInfo, quietSocket) = await h.AddSocketChannelAsync(await h.CreateDomainAsync(6), "org.example.quiet.1");
        var busy = await h.ConnectFrontendAsync(busyInfo);
        var quiet = await h.ConnectFrontendAsync(quietInfo);
        await h.WaitForValueAsync(busyInfo.BackendPath + "/state", "4");
        await h.WaitForValueAsync(quietInfo.BackendPath + "/state", "4");
        using var busyClient = await BackendHarness.ConnectClientAsync(busySocket);
        using var quietClient = await BackendHarness.ConnectClientAsync(quietSocket);

        // The busy channel streams guest->dom0 for as long as the neighbour's round trips run: its proxy loop
        // keeps finding work or spinning on the ring.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var streamed = 0L;
        var startedStreaming = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var guestWriter = Task.Run(
            async () =>
            {
                var chunk = new byte[4096];
                while (!stop.IsCancellationRequested)
                {
                    await busy.Stream.WriteAsync(chunk, stop.Token);
                }
            },
            Ct);
        var clientReader = Task.Run(
            async () =>
            {
                var buffer = new byte[65536];
                while (true)
                {
                    var n = await busyClient.ReceiveAsync(buffer, stop.Token);
                    if (Interlocked.Add(ref streamed, n) >= 256 * 1024)
                    {
                        startedStreaming.TrySetResult();
                    }
                }
            },
            Ct);
        await startedStreaming.Task.WaitAsync(Timeout, Ct);
        var streamedBefore = Interlocked.Read(ref streamed);

        var one = new byte[1];
        for (var i = 0; i < 200; i++)
        {
            await quietClient.SendAsync(new[] { (byte)i }, Ct).AsTask().WaitAsync(Timeout, Ct);
            Assert.Equal(1, await quiet.Stream.ReadAsync(one, Ct).AsTask().WaitAsync(Timeout, Ct));
            Assert.Equal((byte)i, one[0]);
            await quiet.Stream.WriteAsync(one, Ct).AsTask().WaitAsync(Timeout, Ct);
            Assert.Equal(1, await quietClient.ReceiveAsync(one, Ct).AsTask().WaitAsync(Timeout, Ct));
            Assert.Equal((byte)i, one[0]);
        }

        var streamedMeanwhile = Interlocked.Read(ref streamed);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => clientReader.WaitAsync(Timeout, Ct));
        try
        {
            await guestWriter.WaitAsync(Timeout, Ct);
        }
        catch (OperationCanceledException)
        {
            // Stopped inside a write waiting for room rather than between writes.
        }

        Assert.True(streamedMeanwhile > streamedBefore, "the busy channel stalled while its neighbour was served");
    }

    [Fact]
    public async Task Backend_IoemuConsole_NeverTouched()
    {
        await using var h = await BackendHarness.StartAsync();
        var domain = await h.CreateDomainAsync(5);
        await h.Xs.WriteAsync("/local/domain/5/device/console/3/type", "ioemu", Ct);
        await h.Xs.WriteAsync("/local/domain/5/device/console/3/state", "3", Ct);
        await h.Xs.WriteAsync("/local/domain/0/backend/console/5/3/state", "1", Ct);
        await h.Xs.WriteAsync("/local/domain/0/backend/console/5/3/connection", "socket", Ct);
        await h.Xs.WriteAsync("/local/domain/0/backend/console/5/3/path", Path.Combine(h.Sockets, "qemu"), Ct);

        // Ours, added after: once it is connected the backend has passed over the ioemu console too.
        var (info, _) = await h.AddSocketChannelAsync(domain, "org.example.ours.1");
        await h.ConnectFrontendAsync(info);
        await h.WaitForValueAsync(info.BackendPath + "/state", "4");

        Assert.Equal("1", await h.Xs.ReadAsync("/local/domain/0/backend/console/5/3/state", Ct));
        Assert.False(File.Exists(Path.Combine(h.Sockets, "qemu")));
        Assert.DoesNotContain(new ChannelKey(domain, 3), h.Backend.Connected);
    }

    [Fact]
    public async Task Backend_HostileIndices_ClosesThatChannelOnly()
    {
        await using var h = await BackendHarness.StartAsync();
        var domain = await h.CreateDomainAsync(5);
        var (bad, badSocket) = await h.AddSocketChannelAsync(domain, "org.example.bad.1");
        var (good, goodSocket) = await h.AddSocketChannelAsync(domain, "org.example.good.1");
        var badFront = await h.ConnectFrontendAsync(bad);
        var goodFront = await h.ConnectFrontendAsync(good);
        await h.WaitForValueAsync(bad.BackendPath + "/state", "4");
        await h.WaitForValueAsync(good.BackendPath + "/state", "4");

        var page = badFront.Page.Page;
        page.WriteUInt32Volatile(XenConsInterface.OutConsOffset, 0x10);
        page.WriteUInt32Volatile(XenConsInterface.OutProdOffset, 0xDEAD_BEEF);
        badFront.Events.Notify();

        await h.WaitForValueAsync(bad.BackendPath + "/state", "6");
        Assert.False(File.Exists(badSocket));
        await AssertEchoAsync(goodFront, goodSocket);
        Assert.Equal([new ChannelKey(domain, good.Devid)], h.Backend.Connected);
    }

    [Fact]
    public async Task Backend_FailedDeviceProvisionedAgainUnderSameDevid_ServesTheNewOne()
    {
        await using var h = await BackendHarness.StartAsync();
        var logged = new System.Collections.Concurrent.ConcurrentQueue<string>();
        h.Log.Logged += logged.Enqueue;
        var domain = await h.CreateDomainAsync(5);
        var (info, socketPath) = await h.AddSocketChannelAsync(domain, "org.example.again.1");
        var old = await h.ConnectFrontendAsync(info);
        await h.WaitForValueAsync(info.BackendPath + "/state", "4");
        old.Page.Page.WriteUInt32Volatile(XenConsInterface.OutProdOffset, 0xDEAD_BEEF);
        old.Events.Notify();
        await h.WaitForValueAsync(info.BackendPath + "/state", "6");

        // What a remove and an add that reuses the devid leave behind when the backend only sees the end result:
        // both state nodes back at Initialising, written at once.
        await h.Xs.TransactAsync(
            async (tx, c) =>
            {
                await tx.WriteAsync(info.BackendPath + "/state", "1", c);
                await tx.WriteAsync(info.FrontendPath + "/state", "1", c);
                return 0;
            },
            cancellationToken: Ct).WaitAsync(Timeout, Ct);
        var fresh = await h.ConnectFrontendAsync(info);

        await h.WaitForValueAsync(info.BackendPath + "/state", "4");
        await AssertEchoAsync(fresh, socketPath);
        Assert.Contains(logged, l => l.Contains("provisioned again under the same devid", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Backend_SecondClient_RefusedAndFirstKeepsSession()
    {
        await using var h = await BackendHarness.StartAsync();
        var domain = await h.CreateDomainAsync(5);
        var (info, socketPath) = await h.AddSocketChannelAsync(domain, "org.example.one.1");
        var frontend = await h.ConnectFrontendAsync(info);
        await h.WaitForValueAsync(info.BackendPath + "/state", "4");
        using var first = await BackendHarness.ConnectClientAsync(socketPath);
        await RoundTripAsync(frontend, first, "hello");

        using var second = await BackendHarness.ConnectClientAsync(socketPath);
        var refusal = await ReadToEndAsync(second);

        Assert.StartsWith("gak-backend: channel 5/1 is busy", refusal, StringComparison.Ordinal);
        await RoundTripAsync(frontend, first, "still mine");
    }

    [Fact]
    public async Task Backend_HotplugAddAndRemove_WhileRunning()
    {
        await using var h = await BackendHarness.StartAsync();
        var domain = await h.CreateDomainAsync(6);
        var (info, socketPath) = await h.AddSocketChannelAsync(domain, "org.example.hot.1");
        Assert.Equal("2", await WaitForStateAsync(h, info.BackendPath, "2")); // InitWait: the backend saw it
        var frontend = await h.ConnectFrontendAsync(info);
        await h.WaitForValueAsync(info.BackendPath + "/state", "4");
        await AssertEchoAsync(frontend, socketPath);

        await new ChannelProvisioner(h.Xs).RemoveAsync(domain, "org.example.hot.1", Ct).WaitAsync(Timeout, Ct);

        await h.WaitUntilAsync(() => h.Backend.Connected.Count == 0 && !File.Exists(socketPath), "the channel is closed and its socket removed");
    }

    [Fact]
    public async Task Backend_MoreChannelsAtOnceThanStepsInFlight_EachConnectsToItsOwnSocket()
    {
        await using var h = await BackendHarness.StartAsync();
        var count = (2 * Limits.BackendStepsInFlight) + 1;
        var domains = new List<DomainId>();
        for (var i = 0; i < count; i++)
        {
            domains.Add(await h.CreateDomainAsync((ushort)(20 + i)));
        }

        var channels = await Task.WhenAll(domains.Select(d => h.AddSocketChannelAsync(d, "org.example.many.1")));
        var frontends = await Task.WhenAll(channels.Select(c => h.ConnectFrontendAsync(c.Info)));
        await Task.WhenAll(channels.Select(c => h.WaitForValueAsync(c.Info.BackendPath + "/state", "4")));

        Assert.Equal(count, h.Backend.Connected.Count);
        for (var i = 0; i < count; i++)
        {
            using var client = await BackendHarness.ConnectClientAsync(channels[i].Socket);
            await RoundTripAsync(frontends[i], client, $"channel of {domains[i]}");
        }
    }

    [Fact]
    public async Task Backend_DomainsBackendDirectoryRemoved_ClosesThatDomainsChannelOnly()
    {
        await using var h = await BackendHarness.StartAsync();
        var gone = await h.CreateDomainAsync(7);
        var stays = await h.CreateDomainAsync(8);
        var (goneInfo, goneSocket) = await h.AddSocketChannelAsync(gone, "org.example.dir.1");
        var (staysInfo, staysSocket) = await h.AddSocketChannelAsync(stays, "org.example.dir.1");
        await h.ConnectFrontendAsync(goneInfo);
        var staysFrontend = await h.ConnectFrontendAsync(staysInfo);
        await h.WaitForValueAsync(goneInfo.BackendPath + "/state", "4");
        await h.WaitForValueAsync(staysInfo.BackendPath + "/state", "4");

        // What a toolstack does after destroying a domain: the event names the domain's directory, not a device.
        await h.Xs.RemoveAsync(ChannelPaths.BackendRoot(DomainId.Dom0) + "/" + gone, Ct).WaitAsync(Timeout, Ct);

        await h.WaitUntilAsync(() => h.Backend.Connected.Count == 1 && !File.Exists(goneSocket), "the removed domain's channel is closed");
        Assert.Equal([new ChannelKey(stays, staysInfo.Devid)], h.Backend.Connected);
        await AssertEchoAsync(staysFrontend, staysSocket);
    }

    [Fact]
    public async Task Backend_FrontendCloses_BackendClosesAndReconnectsWhenReinitialised()
    {
        await using var h = await BackendHarness.StartAsync();
        var domain = await h.CreateDomainAsync(5);
        var (info, socketPath) = await h.AddSocketChannelAsync(domain, "org.example.re.1");
        await h.ConnectFrontendAsync(info);
        await h.WaitForValueAsync(info.BackendPath + "/state", "4");

        await h.Xs.WriteAsync(info.FrontendPath + "/state", "5", Ct);
        await h.WaitForValueAsync(info.BackendPath + "/state", "6");
        Assert.False(File.Exists(socketPath));

        var again = await TestFrontend.ConnectAsync(h.Xs, h.Root, domain, info.Devid, Ct).WaitAsync(Timeout, Ct);
        await using (again)
        {
            await h.WaitForValueAsync(info.BackendPath + "/state", "4");
            await AssertEchoAsync(again, socketPath);
        }
    }

    [Fact]
    public async Task Backend_Restart_ReattachesKeepingRingBytes()
    {
        await using var h = await BackendHarness.StartAsync(startBackend: false);
        var domain = await h.CreateDomainAsync(5);
        var (info, socketPath) = await h.AddSocketChannelAsync(domain, "org.example.restart.1");
        var frontend = await h.ConnectFrontendAsync(info);
        var first = new ChannelBackend(h.Xs, h.Platform, new BackendOptions());
        using (var stop = new CancellationTokenSource())
        {
            var run = first.RunAsync(stop.Token);
            await h.WaitForValueAsync(info.BackendPath + "/state", "4");
            await h.Xs.WriteAsync(info.FrontendPath + "/state", "4", Ct); // the guest follows to Connected
            await frontend.Stream.WriteAsync(Encoding.ASCII.GetBytes("kept in the ring"), Ct);
            await stop.CancelAsync();
            await run.WaitAsync(Timeout, Ct);
        }

        h.StartBackend(new BackendOptions());
        await h.WaitUntilAsync(() => h.Backend.Connected.Count == 1, "the channel is reattached");
        using var client = await BackendHarness.ConnectClientAsync(socketPath);
        var buffer = new byte[64];
        var n = await client.ReceiveAsync(buffer, Ct).AsTask().WaitAsync(Timeout, Ct);
        Assert.Equal("kept in the ring", Encoding.ASCII.GetString(buffer, 0, n));
    }

    [Fact]
    public async Task Backend_PtyChannel_WritesTtyAndCarriesBytes()
    {
        await using var h = await BackendHarness.StartAsync();
        var domain = await h.CreateDomainAsync(5);
        var info = await new ChannelProvisioner(h.Xs).AddAsync(domain, GuestAgentKit.Channels.Xl.XlChannelSpec.Parse("connection=pty, name=org.example.pty.1"), Ct);
        var frontend = await h.ConnectFrontendAsync(info);
        await h.WaitForValueAsync(info.BackendPath + "/state", "4");

        var tty = await h.Xs.ReadAsync(info.FrontendPath + "/tty", Ct);
        Assert.StartsWith("/dev/pts/", tty, StringComparison.Ordinal);
        Assert.Equal("n0,r5", string.Join(",", await h.Xs.GetPermissionsAsync(info.FrontendPath + "/tty", Ct)));
        await using var slave = new FileStream(tty!, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, 1, FileOptions.None);
        await frontend.Stream.WriteAsync("from guest"u8.ToArray(), Ct);
        var buffer = new byte[64];
        var n = await Task.Run(() => slave.Read(buffer), Ct).WaitAsync(Timeout, Ct);
        Assert.Equal("from guest", Encoding.ASCII.GetString(buffer, 0, n));
    }

    internal static byte[] Sequence(int start, int count)
    {
        var bytes = new byte[count];
        for (var i = 0; i < count; i++)
        {
            bytes[i] = (byte)((start + i) % 251);
        }

        return bytes;
    }

    private static async Task<string?> WaitForStateAsync(BackendHarness h, string backendPath, string state)
    {
        await h.WaitForValueAsync(backendPath + "/state", state);
        return await h.Xs.ReadAsync(backendPath + "/state", Ct);
    }

    private static async Task AssertEchoAsync(TestFrontend frontend, string socketPath)
    {
        using var client = await BackendHarness.ConnectClientAsync(socketPath);
        await RoundTripAsync(frontend, client, "ping");
    }

    internal static async Task RoundTripAsync(TestFrontend frontend, Socket client, string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        await frontend.Stream.WriteAsync(bytes, Ct);
        Assert.Equal(text, Encoding.ASCII.GetString(await ReceiveExactlyAsync(client, bytes.Length)));
        await client.SendAsync(bytes, Ct);
        var back = new byte[bytes.Length];
        for (var got = 0; got < back.Length;)
        {
            got += await frontend.Stream.ReadAsync(back.AsMemory(got), Ct).AsTask().WaitAsync(Timeout, Ct);
        }

        Assert.Equal(text, Encoding.ASCII.GetString(back));
    }

    private static async Task<byte[]> ReceiveExactlyAsync(Socket socket, int count)
    {
        var buffer = new byte[count];
        for (var got = 0; got < count;)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(got), Ct).AsTask().WaitAsync(Timeout, Ct);
            Assert.NotEqual(0, n);
            got += n;
        }

        return buffer;
    }

    private static async Task<string> ReadToEndAsync(Socket socket)
    {
        var all = new List<byte>();
        var buffer = new byte[256];
        int n;
        while ((n = await socket.ReceiveAsync(buffer, Ct).AsTask().WaitAsync(Timeout, Ct)) > 0)
        {
            all.AddRange(buffer[..n]);
        }

        return Encoding.ASCII.GetString([.. all]);
    }
}
