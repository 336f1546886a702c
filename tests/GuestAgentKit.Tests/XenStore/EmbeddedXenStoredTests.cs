using System.Text;
using GuestAgentKit.Loopback.XenStored;
using GuestAgentKit.Xen;
using GuestAgentKit.XenStore;
using GuestAgentKit.XenStore.Wire;

namespace GuestAgentKit.Tests.XenStore;

public sealed class EmbeddedXenStoredTests
{
    private static readonly TimeSpan Timeout = XenStoreHarness.Timeout;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Crud_Dom0OverUnixSocket_Works()
    {
        await using var harness = await XenStoreHarness.StartAsync();
        var dom0 = await harness.ConnectDom0Async();
        await XenStoreScenarios.CrudAsync(dom0, "/test");
        Assert.Equal(["tool", "test"], await dom0.DirectoryAsync("/", Ct).WaitAsync(Timeout, Ct));
    }

    [Fact]
    public async Task Permissions_DomainConnection_RelativePathsAndEacces()
    {
        await using var harness = await XenStoreHarness.StartAsync();
        var dom0 = await harness.ConnectDom0Async();
        var domain = await harness.ConnectDomainAsync(3);
        await XenStoreScenarios.PermissionsAsync(dom0, domain, 3);
    }

    [Fact]
    public async Task Watch_InitialChangeAndRemove_Fire()
    {
        await using var harness = await XenStoreHarness.StartAsync();
        var dom0 = await harness.ConnectDom0Async();
        await using var watch = await dom0.WatchAsync("/w", "tok", Ct).WaitAsync(Timeout, Ct);
        await using var events = watch.GetAsyncEnumerator(Ct);

        Assert.Equal(new XsWatchEvent("/w", "tok"), await NextAsync(events));
        await dom0.WriteAsync("/w/a/b", "1", Ct).WaitAsync(Timeout, Ct);
        Assert.Equal(new XsWatchEvent("/w/a/b", "tok"), await NextAsync(events));
        await dom0.WriteAsync("/other", "1", Ct).WaitAsync(Timeout, Ct);
        await dom0.RemoveAsync("/w", Ct).WaitAsync(Timeout, Ct);
        // RM fires the removed node as a subtree match, nodes below it only for exact watches; nothing for /other.
        Assert.Equal(new XsWatchEvent("/w", "tok"), await NextAsync(events));
        await dom0.WriteAsync("/w", "back", Ct).WaitAsync(Timeout, Ct);
        Assert.Equal(new XsWatchEvent("/w", "tok"), await NextAsync(events));
    }

    [Fact]
    public async Task Watch_DomainRelative_EventsRelativeAndOnlyReadable()
    {
        await using var harness = await XenStoreHarness.StartAsync();
        var dom0 = await harness.ConnectDom0Async();
        await dom0.WriteAsync("/local/domain/4/x", "", Ct).WaitAsync(Timeout, Ct);
        await dom0.SetPermissionsAsync("/local/domain/4", [new XsPermission(XsAccess.None, new DomainId(4))], Ct).WaitAsync(Timeout, Ct);
        await dom0.SetPermissionsAsync("/local/domain/4/x", [new XsPermission(XsAccess.None, new DomainId(4))], Ct).WaitAsync(Timeout, Ct);
        var domain = await harness.ConnectDomainAsync(4);
        await using var watch = await domain.WatchAsync("x", "t", Ct).WaitAsync(Timeout, Ct);
        await using var events = watch.GetAsyncEnumerator(Ct);
        Assert.Equal(new XsWatchEvent("x", "t"), await NextAsync(events));

        // Created by dom0 under x: inherits n4, readable by the domain.
        await dom0.WriteAsync("/local/domain/4/x/hidden/deep", "1", Ct).WaitAsync(Timeout, Ct);
        Assert.Equal("x/hidden/deep", (await NextAsync(events)).Path);
        // Taking access away still notifies (the old permissions were readable).
        await dom0.SetPermissionsAsync("/local/domain/4/x/hidden", [new XsPermission(XsAccess.None, DomainId.Dom0)], Ct).WaitAsync(Timeout, Ct);
        Assert.Equal("x/hidden", (await NextAsync(events)).Path);
        await dom0.SetPermissionsAsync("/local/domain/4/x/hidden/deep", [new XsPermission(XsAccess.None, DomainId.Dom0)], Ct).WaitAsync(Timeout, Ct);
        Assert.Equal("x/hidden/deep", (await NextAsync(events)).Path);
        // Now neither the node nor its parent is readable: no event; the next one is the domain's own write.
        await dom0.WriteAsync("/local/domain/4/x/hidden/deep", "2", Ct).WaitAsync(Timeout, Ct);
        await domain.WriteAsync("x/visible", "1", Ct).WaitAsync(Timeout, Ct);
        Assert.Equal(new XsWatchEvent("x/visible", "t"), await NextAsync(events));
    }

    [Fact]
    public async Task SpecialWatches_IntroduceAndRelease_Fire()
    {
        var connected = new TaskCompletionSource<(DomainId, ulong, EventChannelPort)>();
        XenStoreHarness? harnessRef = null;
        var options = new EmbeddedXenStoredOptions
        {
            DomainConnector = (domain, mfn, port) =>
            {
                connected.TrySetResult((domain, mfn, port));
                return harnessRef!.CreateSocketPairAsync().GetAwaiter().GetResult().A;
            },
        };
        await using var harness = await XenStoreHarness.StartAsync(options);
        harnessRef = harness;
        var dom0 = await harness.ConnectDom0Async();
        await using var introduced = await dom0.WatchAsync(XsPath.IntroduceDomain, null, Ct).WaitAsync(Timeout, Ct);
        await using var released = await dom0.WatchAsync(XsPath.ReleaseDomain, null, Ct).WaitAsync(Timeout, Ct);
        await using var introducedEvents = introduced.GetAsyncEnumerator(Ct);
        await using var releasedEvents = released.GetAsyncEnumerator(Ct);
        Assert.Equal(XsPath.IntroduceDomain, (await NextAsync(introducedEvents)).Path);
        Assert.Equal(XsPath.ReleaseDomain, (await NextAsync(releasedEvents)).Path);

        Assert.False(await dom0.IsDomainIntroducedAsync(new DomainId(7), Ct).WaitAsync(Timeout, Ct));
        await dom0.IntroduceAsync(new DomainId(7), 0x1234, new EventChannelPort(3), Ct).WaitAsync(Timeout, Ct);
        Assert.Equal((new DomainId(7), 0x1234UL, new EventChannelPort(3)), await connected.Task.WaitAsync(Timeout, Ct));
        Assert.Equal(XsPath.IntroduceDomain, (await NextAsync(introducedEvents)).Path);
        Assert.True(await dom0.IsDomainIntroducedAsync(new DomainId(7), Ct).WaitAsync(Timeout, Ct));
        Assert.Equal("/local/domain/7", await dom0.GetDomainPathAsync(new DomainId(7), Ct).WaitAsync(Timeout, Ct));

        await dom0.ReleaseAsync(new DomainId(7), Ct).WaitAsync(Timeout, Ct);
        Assert.Equal(XsPath.ReleaseDomain, (await NextAsync(releasedEvents)).Path);
        Assert.False(await dom0.IsDomainIntroducedAsync(new DomainId(7), Ct).WaitAsync(Timeout, Ct));
        var error = await Assert.ThrowsAsync<XenStoreException>(() => dom0.ReleaseAsync(new DomainId(7), Ct).WaitAsync(Timeout, Ct));
        Assert.Equal(XsErrorCode.ENOENT, error.Error);
    }

    [Fact]
    public async Task Introduce_FromDomain_Eacces()
    {
        await using var harness = await XenStoreHarness.StartAsync();
        var domain = await harness.ConnectDomainAsync(5);
        var error = await Assert.ThrowsAsync<XenStoreException>(() => domain.IntroduceAsync(new DomainId(6), 1, new EventChannelPort(1), Ct).WaitAsync(Timeout, Ct));
        Assert.Equal(XsErrorCode.EACCES, error.Error);
    }

    [Fact]
    public async Task Transaction_Conflict_CommitFalseAndTransactRetries()
    {
        await using var harness = await XenStoreHarness.StartAsync();
        var a = await harness.ConnectDom0Async();
        var b = await harness.ConnectDom0Async();
        await a.WriteAsync("/counter", "0", Ct).WaitAsync(Timeout, Ct);

        await using (var tx = await a.StartTransactionAsync(Ct).WaitAsync(Timeout, Ct))
        {
            Assert.Equal("0", await tx.ReadAsync("/counter", Ct).WaitAsync(Timeout, Ct));
            await tx.WriteAsync("/counter", "1", Ct).WaitAsync(Timeout, Ct);
            Assert.Equal("0", await b.ReadAsync("/counter", Ct).WaitAsync(Timeout, Ct));
            await b.WriteAsync("/counter", "5", Ct).WaitAsync(Timeout, Ct);
            Assert.False(await tx.CommitAsync(Ct).WaitAsync(Timeout, Ct));
        }

        Assert.Equal("5", await a.ReadAsync("/counter", Ct).WaitAsync(Timeout, Ct));

        var attempts = 0;
        var result = await a.TransactAsync(
            async (tx, ct) =>
            {
                var value = int.Parse(await tx.ReadAsync("/counter", ct) ?? "0", System.Globalization.CultureInfo.InvariantCulture);
                if (++attempts == 1)
                {
                    await b.WriteAsync("/counter", "10", ct);
                }

                await tx.WriteAsync("/counter", (value + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), ct);
                return value + 1;
            },
            cancellationToken: Ct).WaitAsync(Timeout, Ct);
        Assert.Equal(2, attempts);
        Assert.Equal(11, result);
        Assert.Equal("11", await b.ReadAsync("/counter", Ct).WaitAsync(Timeout, Ct));
    }

    [Fact]
    public async Task Transaction_Abort_DiscardsWrites()
    {
        await using var harness = await XenStoreHarness.StartAsync();
        var dom0 = await harness.ConnectDom0Async();
        await using (var tx = await dom0.StartTransactionAsync(Ct).WaitAsync(Timeout, Ct))
        {
            await tx.WriteAsync("/t/x", "1", Ct).WaitAsync(Timeout, Ct);
            Assert.Equal("1", await tx.ReadAsync("/t/x", Ct).WaitAsync(Timeout, Ct));
        }

        Assert.Null(await dom0.ReadAsync("/t/x", Ct).WaitAsync(Timeout, Ct));
    }

    [Fact]
    public async Task Transaction_Commit_FiresWatchesIncludingRemovals()
    {
        await using var harness = await XenStoreHarness.StartAsync();
        var dom0 = await harness.ConnectDom0Async();
        await dom0.WriteAsync("/tw/old", "1", Ct).WaitAsync(Timeout, Ct);
        await using var watch = await dom0.WatchAsync("/tw", "t", Ct).WaitAsync(Timeout, Ct);
        await using var events = watch.GetAsyncEnumerator(Ct);
        Assert.Equal("/tw", (await NextAsync(events)).Path);

        await using (var tx = await dom0.StartTransactionAsync(Ct).WaitAsync(Timeout, Ct))
        {
            await tx.RemoveAsync("/tw/old", Ct).WaitAsync(Timeout, Ct);
            await tx.WriteAsync("/tw/new", "2", Ct).WaitAsync(Timeout, Ct);
            // Changes in a transaction fire at commit, in order; the removal still reaches the watcher.
            Assert.True(await tx.CommitAsync(Ct).WaitAsync(Timeout, Ct));
        }

        Assert.Equal("/tw/old", (await NextAsync(events)).Path);
        Assert.Equal("/tw/new", (await NextAsync(events)).Path);
    }

    [Fact]
    public async Task Watch_SamePathTwiceAndAncestor_EachKeepsFiringAfterTheOthersGo()
    {
        await using var harness = await XenStoreHarness.StartAsync();
        var a = await harness.ConnectDom0Async();
        var b = await harness.ConnectDom0Async();
        var x = await a.WatchAsync("/p", "x", Ct).WaitAsync(Timeout, Ct);
        await using var y = await a.WatchAsync("/p", "y", Ct).WaitAsync(Timeout, Ct);
        var z = await b.WatchAsync("/p", "z", Ct).WaitAsync(Timeout, Ct);
        await using var root = await b.WatchAsync("/", "r", Ct).WaitAsync(Timeout, Ct);
        await using var yEvents = y.GetAsyncEnumerator(Ct);
        await using var rootEvents = root.GetAsyncEnumerator(Ct);
        await using (var xEvents = x.GetAsyncEnumerator(Ct))
        await using (var zEvents = z.GetAsyncEnumerator(Ct))
        {
            Assert.Equal("/p", (await NextAsync(xEvents)).Path); // the initial firings
            Assert.Equal("/p", (await NextAsync(yEvents)).Path);
            Assert.Equal("/p", (await NextAsync(zEvents)).Path);
            Assert.Equal("/", (await NextAsync(rootEvents)).Path);

            await a.WriteAsync("/p/q", "1", Ct).WaitAsync(Timeout, Ct);
            foreach (var events in new[] { xEvents, yEvents, zEvents, rootEvents })
            {
                Assert.Equal("/p/q", (await NextAsync(events)).Path);
            }
        }

        // One of a's two watches on /p and b's watch on /p go; a's other watch and b's watch on / stay.
        await x.DisposeAsync();
        await z.DisposeAsync();
        await a.WriteAsync("/p/r", "2", Ct).WaitAsync(Timeout, Ct);

        Assert.Equal(new XsWatchEvent("/p/r", "y"), await NextAsync(yEvents));
        Assert.Equal(new XsWatchEvent("/p/r", "r"), await NextAsync(rootEvents));
    }

    [Fact]
    public async Task Transaction_NodeWrittenTwiceAndPermissionsSet_FiresOnceAtCommit()
    {
        await using var harness = await XenStoreHarness.StartAsync();
        var dom0 = await harness.ConnectDom0Async();
        await using var watch = await dom0.WatchAsync("/tw", "t", Ct).WaitAsync(Timeout, Ct);
        await using var events = watch.GetAsyncEnumerator(Ct);
        Assert.Equal("/tw", (await NextAsync(events)).Path);

        await using (var tx = await dom0.StartTransactionAsync(Ct).WaitAsync(Timeout, Ct))
        {
            await tx.WriteAsync("/tw/a", "1", Ct).WaitAsync(Timeout, Ct);
            await tx.WriteAsync("/tw/b", "1", Ct).WaitAsync(Timeout, Ct);
            await tx.WriteAsync("/tw/a", "2", Ct).WaitAsync(Timeout, Ct);
            await tx.SetPermissionsAsync("/tw/a", [new XsPermission(XsAccess.None, DomainId.Dom0)], Ct).WaitAsync(Timeout, Ct);
            Assert.True(await tx.CommitAsync(Ct).WaitAsync(Timeout, Ct));
        }

        await dom0.WriteAsync("/tw/sync", "1", Ct).WaitAsync(Timeout, Ct);

        // As C xenstored: one event per node the transaction changed, in the order first changed.
        Assert.Equal("/tw/a", (await NextAsync(events)).Path);
        Assert.Equal("/tw/b", (await NextAsync(events)).Path);
        Assert.Equal("/tw/sync", (await NextAsync(events)).Path);
    }

    [Fact]
    public async Task Quotas_Domain_Enospc()
    {
        await using var harness = await XenStoreHarness.StartAsync();
        var dom0 = await harness.ConnectDom0Async();
        await dom0.MkdirAsync("/local/domain/8", Ct).WaitAsync(Timeout, Ct);
        await dom0.SetPermissionsAsync("/local/domain/8", [new XsPermission(XsAccess.None, new DomainId(8))], Ct).WaitAsync(Timeout, Ct);
        var domain = await harness.ConnectDomainAsync(8);

        var big = await Assert.ThrowsAsync<XenStoreException>(() => domain.WriteAsync("big", new string('x', Limits.XenStoredNodeSize + 1), Ct).WaitAsync(Timeout, Ct));
        Assert.Equal(XsErrorCode.ENOSPC, big.Error);
        var perms = Enumerable.Range(0, Limits.XenStoredPermsPerNode + 1).Select(i => new XsPermission(XsAccess.Read, new DomainId((ushort)(i == 0 ? 8 : i + 20)))).ToArray();
        var tooMany = await Assert.ThrowsAsync<XenStoreException>(() => domain.SetPermissionsAsync("/local/domain/8", perms, Ct).WaitAsync(Timeout, Ct));
        Assert.Equal(XsErrorCode.ENOSPC, tooMany.Error);

        var watches = new List<XsWatch>();
        for (var i = 0; i < Limits.XenStoredWatchesPerDomain; i++)
        {
            watches.Add(await domain.WatchAsync("w" + i, null, Ct).WaitAsync(Timeout, Ct));
        }

        var watchError = await Assert.ThrowsAsync<XenStoreException>(() => domain.WatchAsync("w-extra", null, Ct).WaitAsync(Timeout, Ct));
        Assert.Equal(XsErrorCode.ENOSPC, watchError.Error);

        var transactions = new List<XsTransaction>();
        for (var i = 0; i < Limits.XenStoredTransactionsPerDomain; i++)
        {
            transactions.Add(await domain.StartTransactionAsync(Ct).WaitAsync(Timeout, Ct));
        }

        var txError = await Assert.ThrowsAsync<XenStoreException>(() => domain.StartTransactionAsync(Ct).WaitAsync(Timeout, Ct));
        Assert.Equal(XsErrorCode.ENOSPC, txError.Error);

        // The home node is owned by the domain: Limits.XenStoredNodesPerDomain - 1 more fit.
        var writes = Enumerable.Range(0, Limits.XenStoredNodesPerDomain - 1).Select(i => domain.WriteAsync("n" + i, "", Ct));
        await Task.WhenAll(writes).WaitAsync(TimeSpan.FromSeconds(30), Ct);
        var nodeError = await Assert.ThrowsAsync<XenStoreException>(() => domain.WriteAsync("one-more", "", Ct).WaitAsync(Timeout, Ct));
        Assert.Equal(XsErrorCode.ENOSPC, nodeError.Error);
        // Dom0 is not subject to quotas.
        await dom0.WriteAsync("/local/domain/8/by-dom0", "", Ct).WaitAsync(Timeout, Ct);
    }

    [Fact]
    public async Task Concurrency_HundredRequestsInFlight_AllAnswered()
    {
        await using var harness = await XenStoreHarness.StartAsync();
        var dom0 = await harness.ConnectDom0Async();
        await Task.WhenAll(Enumerable.Range(0, 100).Select(i => dom0.WriteAsync("/c/" + i, i.ToString(System.Globalization.CultureInfo.InvariantCulture), Ct))).WaitAsync(Timeout, Ct);
        var values = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => dom0.ReadAsync("/c/" + i, Ct))).WaitAsync(Timeout, Ct);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), values);
        Assert.Equal(100, (await dom0.DirectoryAsync("/c", Ct).WaitAsync(Timeout, Ct)).Count);
    }

    [Fact]
    public async Task Directory_LargerThanPayload_ListedInParts()
    {
        await using var harness = await XenStoreHarness.StartAsync();
        var dom0 = await harness.ConnectDom0Async();
        var names = Enumerable.Range(0, 300).Select(i => "child-with-a-long-name-" + i).ToList();
        await Task.WhenAll(names.Select(n => dom0.MkdirAsync("/big/" + n, Ct))).WaitAsync(Timeout, Ct);
        var listed = await dom0.DirectoryAsync("/big", Ct).WaitAsync(Timeout, Ct);
        Assert.Equal(names.Order(), listed.Order());
    }

    [Fact]
    public async Task ConnectionDrop_PendingRequests_FailWithOneClosedException()
    {
        await using var harness = await XenStoreHarness.StartAsync();
        var (serverEnd, clientEnd) = await harness.CreateSocketPairAsync();
        await using var client = XenStoreClient.Create(clientEnd);
        // Nobody answers on serverEnd: requests stay pending until the peer goes away.
        var pending = Enumerable.Range(0, 5).Select(i => client.ReadAsync("/x" + i, Ct)).ToArray();
        await serverEnd.DisposeAsync();
        var errors = new List<Exception>();
        foreach (var request in pending)
        {
            errors.Add(await Assert.ThrowsAsync<XenStoreConnectionClosedException>(() => request.WaitAsync(Timeout, Ct)));
        }

        Assert.Single(errors.Distinct());
        Assert.Same(errors[0], await Assert.ThrowsAsync<XenStoreConnectionClosedException>(() => client.ReadAsync("/later", Ct).WaitAsync(Timeout, Ct)));
    }

    [Fact]
    public async Task HostileClient_GarbageAndOversized_KilledWhileOthersWork()
    {
        await using var harness = await XenStoreHarness.StartAsync();
        var good = await harness.ConnectDom0Async();
        foreach (var hostile in new[] { OversizedHeader(), GarbageHeaderThenEof() })
        {
            var (serverEnd, clientEnd) = await harness.CreateSocketPairAsync();
            harness.Server.AttachConnection(serverEnd, new DomainId(9));
            await clientEnd.WriteAsync(hostile, Ct);
            var buffer = new byte[64];
            // The server closes the hostile connection: reads reach EOF.
            while (await clientEnd.ReadAsync(buffer, Ct).AsTask().WaitAsync(Timeout, Ct) > 0)
            {
            }

            await clientEnd.DisposeAsync();
        }

        await good.WriteAsync("/still", "ok", Ct).WaitAsync(Timeout, Ct);
        Assert.Equal("ok", await good.ReadAsync("/still", Ct).WaitAsync(Timeout, Ct));

        static byte[] OversizedHeader()
        {
            var header = new byte[XsHeader.Size];
            new XsHeader(XsMessageType.Write, 1, 0, 5000).Write(header);
            return header;
        }

        static byte[] GarbageHeaderThenEof() => Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    }

    [Fact]
    public async Task UnknownType_Enosys()
    {
        await using var harness = await XenStoreHarness.StartAsync();
        var (serverEnd, clientEnd) = await harness.CreateSocketPairAsync();
        harness.Server.AttachConnection(serverEnd, DomainId.Dom0);
        await clientEnd.WriteAsync(new XsMessage((XsMessageType)99, 42, 0, XsPayload.Strings("x")).Encode(), Ct);
        var reply = await ReadMessageAsync(clientEnd);
        Assert.Equal(XsMessageType.Error, reply.Type);
        Assert.Equal(42u, reply.RequestId);
        Assert.Equal(XsErrorCode.ENOSYS, XsErrors.Parse(reply.Payload));
        await clientEnd.DisposeAsync();
    }

    [Fact]
    public async Task Fuzz_MalformedMessagesFromDomain_OnlyThatConnectionSuffers()
    {
        await using var harness = await XenStoreHarness.StartAsync();
        var dom0 = await harness.ConnectDom0Async();
        await dom0.WriteAsync("/local/domain/11/ok", "1", Ct).WaitAsync(Timeout, Ct);
        var random = new Random(20261125);
        var types = Enum.GetValues<XsMessageType>();
        for (var round = 0; round < 20; round++)
        {
            var (serverEnd, clientEnd) = await harness.CreateSocketPairAsync();
            harness.Server.AttachConnection(serverEnd, new DomainId(11));
            for (var i = 0; i < 150; i++)
            {
                var payload = new byte[random.Next(0, 64)];
                random.NextBytes(payload);
                // Mostly well-framed messages with hostile payloads, ids and types.
                var type = random.Next(4) == 0 ? (XsMessageType)random.Next(0, 40) : types[random.Next(types.Length)];
                var bytes = new XsMessage(type, (uint)random.Next(), (uint)random.Next(3), payload).Encode();
                if (random.Next(50) == 0)
                {
                    bytes[12] = 0xFF; // an oversized length: kills the connection
                }

                try
                {
                    await clientEnd.WriteAsync(bytes, Ct).AsTask().WaitAsync(Timeout, Ct);
                }
                catch (IOException)
                {
                    break;
                }
            }

            await clientEnd.DisposeAsync();
        }

        Assert.Equal("1", await dom0.ReadAsync("/local/domain/11/ok", Ct).WaitAsync(Timeout, Ct));
        await XenStoreScenarios.CrudAsync(dom0, "/after-fuzz");
    }

    [Fact]
    public async Task Permissions_DomainIdReusedAfterNodeWritten_EntryIgnored()
    {
        // XSA-322: an entry written for an earlier domain 6 must not grant anything to a new domain 6.
        await using var harness = await XenStoreHarness.StartAsync();
        var dom0 = await harness.ConnectDom0Async();
        var first = await harness.ConnectDomainAsync(6);
        await dom0.WriteAsync("/shared", "secret", Ct).WaitAsync(Timeout, Ct);
        await dom0.SetPermissionsAsync("/shared", [new(XsAccess.None, DomainId.Dom0), new(XsAccess.Read, new DomainId(6))], Ct).WaitAsync(Timeout, Ct);
        Assert.Equal("secret", await first.ReadAsync("/shared", Ct).WaitAsync(Timeout, Ct));

        harness.Server.NotifyDomainGone(new DomainId(6));
        var second = await harness.ConnectDomainAsync(6);

        var error = await Assert.ThrowsAsync<XenStoreException>(() => second.ReadAsync("/shared", Ct).WaitAsync(Timeout, Ct));
        Assert.Equal(XsErrorCode.EACCES, error.Error);
        Assert.Equal([new XsPermission(XsAccess.None, DomainId.Dom0)], await dom0.GetPermissionsAsync("/shared", Ct).WaitAsync(Timeout, Ct));

        // Granting again after the new domain exists counts.
        await dom0.SetPermissionsAsync("/shared", [new(XsAccess.None, DomainId.Dom0), new(XsAccess.Read, new DomainId(6))], Ct).WaitAsync(Timeout, Ct);
        Assert.Equal("secret", await second.ReadAsync("/shared", Ct).WaitAsync(Timeout, Ct));
    }

    [Fact]
    public async Task Release_DomainOwnsNodes_NodesDeletedWatchesFireAndConnectionCloses()
    {
        // C xenstored 4.17 (XSA-419) deletes a released domain's nodes; nodes that only name it stay.
        await using var harness = await XenStoreHarness.StartAsync();
        var dom0 = await harness.ConnectDom0Async();
        var domain8 = new DomainId(8);
        await dom0.WriteAsync("/local/domain/8/data", "x", Ct).WaitAsync(Timeout, Ct);
        await dom0.SetPermissionsAsync("/local/domain/8", [new(XsAccess.None, domain8)], Ct).WaitAsync(Timeout, Ct);
        await dom0.SetPermissionsAsync("/local/domain/8/data", [new(XsAccess.None, domain8)], Ct).WaitAsync(Timeout, Ct);
        await dom0.WriteAsync("/backend/8", "", Ct).WaitAsync(Timeout, Ct);
        await dom0.SetPermissionsAsync("/backend/8", [new(XsAccess.None, DomainId.Dom0), new(XsAccess.Read, domain8)], Ct).WaitAsync(Timeout, Ct);
        var domain = await harness.ConnectDomainAsync(8);
        await domain.WriteAsync("mine", "1", Ct).WaitAsync(Timeout, Ct);
        await using var domainWatch = await domain.WatchAsync("mine", null, Ct).WaitAsync(Timeout, Ct);
        await using var watch = await dom0.WatchAsync("/local/domain/8", null, Ct).WaitAsync(Timeout, Ct);
        await using var events = watch.GetAsyncEnumerator(Ct);
        Assert.Equal("/local/domain/8", (await NextAsync(events)).Path); // the initial firing

        harness.Server.NotifyDomainGone(domain8);

        Assert.Equal("/local/domain/8", (await NextAsync(events)).Path);
        Assert.Null(await dom0.ReadAsync("/local/domain/8", Ct).WaitAsync(Timeout, Ct));
        Assert.Equal(["8"], await dom0.DirectoryAsync("/backend", Ct).WaitAsync(Timeout, Ct));
        Assert.Equal([new XsPermission(XsAccess.None, DomainId.Dom0)], await dom0.GetPermissionsAsync("/backend/8", Ct).WaitAsync(Timeout, Ct));
        await Assert.ThrowsAsync<XenStoreConnectionClosedException>(() => domain.ReadAsync("mine", Ct).WaitAsync(Timeout, Ct));
    }

    private static async Task<XsWatchEvent> NextAsync(IAsyncEnumerator<XsWatchEvent> events)
    {
        Assert.True(await events.MoveNextAsync().AsTask().WaitAsync(Timeout, Ct));
        return events.Current;
    }

    private static async Task<XsMessage> ReadMessageAsync(Stream stream)
    {
        var buffer = new byte[XsHeader.Size + Limits.XenStorePayloadMax];
        var filled = 0;
        while (true)
        {
            if (XsMessageReader.TryRead(buffer.AsSpan(0, filled), out var message, out _))
            {
                return message!;
            }

            var read = await stream.ReadAsync(buffer.AsMemory(filled), Ct).AsTask().WaitAsync(Timeout, Ct);
            Assert.NotEqual(0, read);
            filled += read;
        }
    }
}
