using GuestAgentKit.Tests.XenStore;
using GuestAgentKit.Xen;
using GuestAgentKit.XenStore;
using GuestAgentKit.XenStore.Wire;

namespace GuestAgentKit.Tests.Fuzz;

/// <summary>
/// A hostile domain's raw connection to the embedded xenstored, beyond the garbage tests in
/// XenStore/EmbeddedXenStoredTests: structured but malicious requests of every type, with the replies
/// read and the quotas checked from them and from dom0's view of the tree.
/// </summary>
[Collection(FuzzCollection.Name)]
public sealed class XenStoredFuzzTests
{
    private const ushort Hostile = 11;
    private const ushort Neighbour = 12;
    private const long MemoryBoundBytes = 32L * 1024 * 1024;
    private static readonly TimeSpan Timeout = XenStoreHarness.Timeout;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task DomainConnection_HostileRequests_QuotasHoldAndOnlyThatConnectionSuffers()
    {
        var requests = FuzzBudget.Cases(bounded: 6_000, longRun: 200_000);
        var random = FuzzBudget.Random(salt: 5);
        await using var harness = await XenStoreHarness.StartAsync();
        var dom0 = await harness.ConnectDom0Async();
        foreach (var domain in new[] { Hostile, Neighbour })
        {
            await CreateHomeAsync(dom0, domain);
        }

        var neighbour = await harness.ConnectDomainAsync(Neighbour);
        var generator = new HostileXenStoreRequests(random, Hostile);
        var stats = new XenStoreReplyStats();
        long baseline = 0, connections = 0;
        var maxOwned = 0;
        for (var sent = 0; sent < requests;)
        {
            var (serverEnd, clientEnd) = await harness.CreateSocketPairAsync();
            await using (clientEnd)
            {
                harness.Server.AttachConnection(serverEnd, new DomainId(Hostile));
                connections++;
                lock (generator.Transactions)
                {
                    generator.Transactions.Clear(); // a new connection has none
                }

                var replies = stats.ReadRepliesAsync(clientEnd, generator.Transactions);
                var killed = false;
                for (var onThis = 0; sent < requests && !killed; sent++, onThis++)
                {
                    var request = generator.Next();
                    stats.Sent(request);
                    var bytes = request.Encode();
                    if (random.Next(2000) == 0)
                    {
                        new XsHeader(XsMessageType.Write, 1, 0, (uint)Limits.XenStorePayloadMax + 1).Write(bytes); // kills this connection
                        killed = true;
                    }

                    try
                    {
                        await clientEnd.WriteAsync(bytes, Ct).AsTask().WaitAsync(Timeout, Ct);
                    }
                    catch (IOException)
                    {
                        killed = true;
                    }

                    if (onThis % 100 == 99)
                    {
                        // A probe on the neighbour's connection now and then: it is served while the hostile one floods.
                        await neighbour.WriteAsync("alive", sent.ToString(System.Globalization.CultureInfo.InvariantCulture), Ct).WaitAsync(Timeout, Ct);
                    }
                }

                if (killed)
                {
                    stats.Kills++;
                    await replies.WaitAsync(Timeout, Ct); // the server closes it: EOF
                }
                else
                {
                    ((System.Net.Sockets.NetworkStream)clientEnd).Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
                    await replies.WaitAsync(Timeout, Ct);
                }
            }

            // The quota at every connection boundary (the domain may remove its own home, so the end alone proves little).
            maxOwned = Math.Max(maxOwned, await CountOwnedAsync(dom0, "/", new DomainId(Hostile)));
            if (await dom0.ReadAsync("/local/domain/" + Hostile, Ct).WaitAsync(Timeout, Ct) is null)
            {
                await CreateHomeAsync(dom0, Hostile); // it removed its own home: the toolstack's part, as at domain creation
            }

            if (baseline == 0 && sent >= 1000)
            {
                baseline = GC.GetTotalMemory(forceFullCollection: true);
            }
        }

        var growth = GC.GetTotalMemory(forceFullCollection: true) - baseline;
        Assert.InRange(maxOwned, 1, Limits.XenStoredNodesPerDomain);
        Assert.InRange(stats.MaxWatches, 0, Limits.XenStoredWatchesPerDomain);
        Assert.InRange(stats.MaxTransactions, 0, Limits.XenStoredTransactionsPerDomain);
        Assert.True(stats.Errors.GetValueOrDefault(XsErrorCode.ENOSPC) > 0, "the fuzzer never reached a quota");
        Assert.InRange(growth, long.MinValue, MemoryBoundBytes);
        await XenStoreScenarios.CrudAsync(dom0, "/after-fuzz");
        Assert.Equal("done", await WriteAndReadAsync(neighbour, "after", "done"));

        FuzzBudget.Report(
            nameof(DomainConnection_HostileRequests_QuotasHoldAndOnlyThatConnectionSuffers),
            $"requests={requests} replies={stats.Replies} connections={connections} killed={stats.Kills} max-nodes-owned={maxOwned} " +
            $"max-watches={stats.MaxWatches} max-transactions={stats.MaxTransactions} managed-growth-bytes={growth} " +
            $"errors={string.Join(',', stats.Errors.OrderBy(e => e.Key.ToString(), StringComparer.Ordinal).Select(e => $"{e.Key}:{e.Value}"))}");
    }

    private static async Task CreateHomeAsync(XenStoreClient dom0, ushort domain)
    {
        await dom0.MkdirAsync("/local/domain/" + domain, Ct).WaitAsync(Timeout, Ct);
        await dom0.SetPermissionsAsync("/local/domain/" + domain, [new XsPermission(XsAccess.None, new DomainId(domain))], Ct).WaitAsync(Timeout, Ct);
    }

    private static async Task<string?> WriteAndReadAsync(XenStoreClient client, string path, string value)
    {
        await client.WriteAsync(path, value, Ct).WaitAsync(Timeout, Ct);
        return await client.ReadAsync(path, Ct).WaitAsync(Timeout, Ct);
    }

    /// <summary>Nodes of the whole tree whose owner (first permission entry) is <paramref name="owner"/>.</summary>
    private static async Task<int> CountOwnedAsync(XenStoreClient dom0, string path, DomainId owner)
    {
        var count = 0;
        var pending = new Stack<string>([path]);
        while (pending.TryPop(out var node))
        {
            var perms = await dom0.GetPermissionsAsync(node, Ct).WaitAsync(Timeout, Ct);
            count += perms.Count > 0 && perms[0].Domain == owner ? 1 : 0;
            foreach (var child in await dom0.DirectoryAsync(node, Ct).WaitAsync(Timeout, Ct))
            {
                pending.Push(node == "/" ? "/" + child : node + "/" + child);
            }
        }

        return count;
    }
}
