using System.Diagnostics;
using System.Globalization;
using GuestAgentKit.Channels;
using GuestAgentKit.Host.Client;

namespace GuestAgentKit.EndToEnd.Tests.Faults;

/// <summary>
/// Flood isolation through one <c>gak-host backend</c> PROCESS: one guest writes into its channel as fast as it can
/// while dom0 reads as fast as it can; a second domain's agent (<c>gak-agent run</c>) is pinged before and during.
/// Asserted: every ping answers within a generous timeout, the flood arrives intact, the backend's RSS stays below
/// <see cref="RssBoundKiB"/>. The p99 figures are reported, not asserted (CI is a loaded 2-core box; see
/// docs/reliability.md for one run's numbers).
/// </summary>
public sealed class FloodIsolationTests
{
    private const long RssBoundKiB = 192 * 1024;

    private static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Backend_OneGuestFloods_OtherChannelsPingsAllAnswerAndMemoryStaysBounded()
    {
        var pings = SoakBudget.Pick(300, 3000);
        await using var rig = await LoopbackRig.StartAsync();
        var flood = await rig.AddDomainAsync("flood", "org.example.flood.1");
        var quiet = await rig.AddDomainAsync("quiet", WellKnownChannels.Agent.Name.Value);
        var backend = rig.StartBackend();
        await rig.WaitConnectedAsync(flood);
        await rig.WaitConnectedAsync(quiet);
        await rig.StartAgentAsync(quiet);
        await using var client = await AgentClient.ConnectAsync(quiet.SocketPath, WellKnownChannels.Agent.Name, null, Ct).WaitAsync(LoopbackRig.Timeout, Ct);
        await PingAsync(client, 20); // warm-up: JIT, first-call paths

        var unloaded = await PingAsync(client, pings);
        var rssUnloaded = ProcessResources.Of(backend.Id, rig.Root).ResidentKiB;

        await using var guest = GuestStreamer.Start(flood.Device, seed: 7);
        var dom0 = new Dom0Streamer(seed: 8);
        using var floodSocket = await LoopbackRig.ConnectAsync(flood.SocketPath, LoopbackRig.Timeout);
        var reader = dom0.ReadAsync(floodSocket);
        await rig.WaitUntilAsync(() => Task.FromResult(dom0.FromGuest.Expected > 1024 * 1024), "the flood to flow");
        var floodClock = Stopwatch.StartNew();
        var floodStart = dom0.FromGuest.Expected;
        var rssMax = 0L;
        var loaded = await PingAsync(client, pings, () => rssMax = Math.Max(rssMax, ProcessResources.Of(backend.Id, rig.Root).ResidentKiB));
        var floodBytes = dom0.FromGuest.Expected - floodStart;
        var floodSeconds = floodClock.Elapsed.TotalSeconds;

        var guestTotal = await guest.StopWritingAsync();
        await rig.WaitUntilAsync(() => Task.FromResult(dom0.FromGuest.Expected >= guestTotal), "the flood's tail");
        Assert.False(reader.IsCompleted, "the flood connection ended");
        await dom0.CloseLosslesslyAsync(floodSocket);
        await reader.WaitAsync(LoopbackRig.Timeout, Ct);

        SoakBudget.Report(
            nameof(Backend_OneGuestFloods_OtherChannelsPingsAllAnswerAndMemoryStaysBounded),
            string.Create(
                CultureInfo.InvariantCulture,
                $"{pings} pings each: unloaded p50 {Percentile(unloaded, 50):0.00} ms, p99 {Percentile(unloaded, 99):0.00} ms; during the flood p50 {Percentile(loaded, 50):0.00} ms, p99 {Percentile(loaded, 99):0.00} ms, max {loaded.Max():0.00} ms; ")
            + string.Create(CultureInfo.InvariantCulture, $"flood {floodBytes / 1048576.0:0.0} MiB in {floodSeconds:0.0} s ({floodBytes / 1048576.0 / floodSeconds:0.0} MiB/s); backend RSS unloaded {rssUnloaded} KiB, max during {rssMax} KiB; ")
            + dom0.FromGuest.Describe("flood"));
        Assert.Equal(pings, loaded.Count);
        Assert.True(floodBytes > 0, "nothing flowed during the pings");
        Assert.Empty(dom0.FromGuest.Jumps);
        Assert.Equal(0, dom0.FromGuest.Corrupt);
        Assert.Equal(guestTotal, dom0.FromGuest.Expected);
        Assert.True(rssMax < RssBoundKiB, $"backend RSS {rssMax} KiB during the flood");
        Assert.False(backend.HasExited);
    }

    /// <summary>Pings <paramref name="count"/> times, one after another; every ping must answer within
    /// <see cref="PingTimeout"/>. Returns the latencies in ms.</summary>
    private static async Task<List<double>> PingAsync(AgentClient client, int count, Action? sample = null)
    {
        var latencies = new List<double>(count);
        for (var i = 0; i < count; i++)
        {
            var clock = Stopwatch.StartNew();
            Assert.Equal("pong", await client.PingAsync(Ct).WaitAsync(PingTimeout, Ct));
            latencies.Add(clock.Elapsed.TotalMilliseconds);
            if (i % 20 == 0)
            {
                sample?.Invoke();
            }
        }

        return latencies;
    }

    private static double Percentile(List<double> values, int percent)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(percent / 100.0 * sorted.Count) - 1)];
    }
}
