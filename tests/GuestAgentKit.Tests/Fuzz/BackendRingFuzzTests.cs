using System.Collections.Concurrent;
using System.Globalization;
using GuestAgentKit.Host.Backend;
using GuestAgentKit.Host.Provisioning;
using GuestAgentKit.Tests.Host;
using GuestAgentKit.Xen;

namespace GuestAgentKit.Tests.Fuzz;

/// <summary>
/// Issue 9, "Malicious frontend": hostile guests scribble over the live console pages of channels the
/// (in-process) <see cref="ChannelBackend"/> serves, while a dom0 client talks on each of their sockets and
/// a well-behaved neighbour keeps echoing. Whenever a hostile channel drops out of
/// <see cref="ChannelBackend.Connected"/> it must be closed exactly as a broken ring is (state 6, socket
/// removed, dom0 client disconnected, "broken ring" logged once for that life); it is then unplugged and
/// replaced by a fresh hostile channel, so the backend keeps facing live lying rings. A channel whose
/// mutations happened to leave its indices valid is legitimately still served; at the end every survivor
/// gets certainly invalid indices and must be closed the same way.
/// </summary>
[Collection(FuzzCollection.Name)]
public sealed class BackendRingFuzzTests
{
    private const int HostileChannels = 4;
    private const int Batch = 64;

    [Fact]
    public async Task Backend_HostileFrontends_BrokenChannelsClosedOnceAndNeighbourKeepsEchoing()
    {
        var mutations = FuzzBudget.Cases(bounded: 20_000, longRun: 1_000_000);
        var random = FuzzBudget.Random(salt: 0xBAC);
        await using var h = await BackendHarness.StartAsync();
        var said = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        h.Log.Logged += message => said.AddOrUpdate(Gist(message), 1, (_, n) => n + 1);
        DomainId[] domains = [await h.CreateDomainAsync(5), await h.CreateDomainAsync(6)];
        var (good, goodSocket) = await h.AddSocketChannelAsync(domains[0], "org.example.good.1");
        var goodFront = await h.ConnectFrontendAsync(good);
        await h.WaitForValueAsync(good.BackendPath + "/state", "4");
        using var goodClient = await BackendHarness.ConnectClientAsync(goodSocket);

        var lives = 0;
        var closed = 0;
        long notifications = 0, invalidWrites = 0, dom0Read = 0;
        var broken = new Dictionary<ChannelKey, int>();
        var hostiles = new HostileBackendChannel[HostileChannels];
        for (var i = 0; i < hostiles.Length; i++)
        {
            hostiles[i] = await OpenAsync(i);
        }

        using var stopEcho = new CancellationTokenSource();
        var echoes = Task.Run(() => EchoUntilStoppedAsync(goodFront, goodClient, stopEcho.Token), TestContext.Current.CancellationToken);
        try
        {
            for (var done = 0; done < mutations;)
            {
                for (var m = 0; m < Batch && done < mutations; m++, done++)
                {
                    hostiles[random.Next(hostiles.Length)].Hostile.Mutate();
                }

                Assert.False(echoes.IsCompleted, "the good channel's echo loop stopped early");
                var connected = h.Backend.Connected;
                for (var i = 0; i < hostiles.Length; i++)
                {
                    if (!connected.Contains(hostiles[i].Key))
                    {
                        await ReplaceAsync(i);
                    }
                }
            }

            // Survivors: whatever their mutations left, certainly invalid indices must close them too.
            foreach (var hostile in hostiles)
            {
                hostile.BreakRing();
            }

            for (var i = 0; i < hostiles.Length; i++)
            {
                await RetireAsync(hostiles[i]);
            }
        }
        finally
        {
            await stopEcho.CancelAsync();
            foreach (var hostile in hostiles)
            {
                await hostile.DisposeAsync();
            }
        }

        var roundTrips = await echoes.WaitAsync(BackendHarness.Timeout, TestContext.Current.CancellationToken);
        Assert.False(h.Running.IsCompleted, $"the backend's run task ended: {h.Running.Status} {h.Running.Exception}");
        Assert.Equal([new ChannelKey(domains[0], good.Devid)], h.Backend.Connected);
        await ChannelBackendTests.RoundTripAsync(goodFront, goodClient, "still echoing");
        Assert.Equal(lives, closed);
        foreach (var (key, times) in broken)
        {
            // Devids are reused after an unplug, so one key may have broken in several lives: once per life.
            Assert.Equal(times, said.GetValueOrDefault($"channel {key}: broken ring "));
        }

        Assert.Equal(closed, said.Where(p => p.Key.Contains(": broken ring ", StringComparison.Ordinal)).Sum(p => p.Value));
        Assert.True(roundTrips > 0);
        FuzzBudget.Report(
            nameof(Backend_HostileFrontends_BrokenChannelsClosedOnceAndNeighbourKeepsEchoing),
            string.Create(
                CultureInfo.InvariantCulture,
                $"mutations={mutations} notifications={notifications} invalidIndexWrites={invalidWrites} hostileLives={lives} closedBroken={closed} goodRoundTrips={roundTrips} dom0BytesRead={dom0Read}"));

        async Task<HostileBackendChannel> OpenAsync(int slot)
        {
            var name = string.Create(CultureInfo.InvariantCulture, $"org.example.hostile.{slot}.{lives}");
            lives++;
            return await HostileBackendChannel.OpenAsync(h, domains[slot % domains.Length], name, random);
        }

        async Task ReplaceAsync(int slot)
        {
            await RetireAsync(hostiles[slot]);
            await hostiles[slot].DisposeAsync();
            hostiles[slot] = await OpenAsync(slot);
        }

        // A hostile channel the backend dropped: it must have been closed as broken, and is then unplugged
        // (and the backend seen to forget it) so its devid can serve a fresh hostile channel.
        async Task RetireAsync(HostileBackendChannel hostile)
        {
            var key = hostile.Key;
            await h.WaitForValueAsync(hostile.Info.BackendPath + "/state", "6");
            Assert.False(File.Exists(hostile.SocketPath), $"channel {key} closed but its socket is still there");
            dom0Read += await hostile.Client.WaitAsync(BackendHarness.Timeout, TestContext.Current.CancellationToken);
            closed++;
            broken[key] = broken.GetValueOrDefault(key) + 1;
            notifications += hostile.Hostile.Notifications;
            invalidWrites += hostile.Hostile.InvalidIndexWrites;
            var unplugged = $"channel {key}: unplugged; channel closed";
            var before = said.GetValueOrDefault(unplugged);
            await new ChannelProvisioner(h.Xs).RemoveAsync(key.Domain, hostile.Info.Name!, TestContext.Current.CancellationToken)
                .WaitAsync(BackendHarness.Timeout, TestContext.Current.CancellationToken);
            await h.WaitUntilAsync(() => said.GetValueOrDefault(unplugged) > before, $"the backend forgets unplugged channel {key}");
        }
    }

    /// <summary>A log message up to its free-text reason in parentheses (which differs per break), so messages count by kind and channel.</summary>
    private static string Gist(string message) => message.IndexOf('(', StringComparison.Ordinal) is var at and >= 0 ? message[..at] : message;

    private static async Task<long> EchoUntilStoppedAsync(TestFrontend frontend, System.Net.Sockets.Socket client, CancellationToken stop)
    {
        long roundTrips = 0;
        while (!stop.IsCancellationRequested)
        {
            await ChannelBackendTests.RoundTripAsync(frontend, client, string.Create(CultureInfo.InvariantCulture, $"ping {roundTrips}"));
            roundTrips++;
        }

        return roundTrips;
    }
}
