using GuestAgentKit.Tests.Posix;
using GuestAgentKit.Tests.Xen;
using GuestAgentKit.Xen;
using GuestAgentKit.Xen.Platform;
using GuestAgentKit.Xen.Rings;

namespace GuestAgentKit.Tests.Fuzz;

/// <summary>
/// A malicious console frontend against the backend's ring code (RingStream over a loopback page and
/// event channel), with the page mapped between PROT_NONE guard pages: any access outside it is a
/// SIGSEGV that kills the test run.
/// </summary>
[Collection(FuzzCollection.Name)]
public sealed class RingFuzzTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly LoopbackPeers _xen = new("ring-fuzz-poller");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _xen.Dispose();

    [Fact]
    public async Task RingStream_HostileFrontend_OnlyBrokenRingErrorsAndNeighbourLosesNothing()
    {
        var mutations = FuzzBudget.Cases(bounded: 20_000, longRun: 1_000_000);
        var random = FuzzBudget.Random(salt: 1);
        var (grant, frontendMapping) = _xen.Guest.GrantPage(DomainId.Dom0);
        using var frontend = frontendMapping;
        using var guarded = new GuardedPageMapping(_xen.Root.File("grants", LoopbackRoot.Guest1.ToString(), grant.ToString()));
        using var frontendChannel = _xen.Guest.AllocateUnbound(DomainId.Dom0);
        using var backendChannel = _xen.Dom0.BindInterdomain(LoopbackRoot.Guest1, frontendChannel.LocalPort);
        var hostile = new HostileConsoleFrontend(frontend.Page, frontendChannel, random);

        // A second, well-behaved channel carries a checked sequence both ways the whole time.
        var neighbourBytes = Math.Max(256L * 1024, mutations * 16L);
        var neighbour = RunNeighbourAsync(neighbourBytes);

        long rounds = 0, brokenRounds = 0, bytesServed = 0;
        while (hostile.Mutations < mutations)
        {
            frontend.Page.Clear();
            var served = new ServedConsoleRing(guarded.Page, backendChannel);
            var steps = random.Next(1, 1000);
            for (var i = 0; i < steps && hostile.Mutations < mutations; i++)
            {
                hostile.Mutate();
                if (i % 32 == 0)
                {
                    await Task.Yield();
                }
            }

            hostile.Storm(1);
            var (read, written) = await served.StopAsync(Timeout);
            rounds++;
            bytesServed += read + written;
            brokenRounds += served.ReaderBroken is not null || served.WriterBroken is not null ? 1 : 0;
        }

        var (up, down) = await neighbour.WaitAsync(TimeSpan.FromMinutes(10), Ct);
        Assert.Equal(-1, up);
        Assert.Equal(-1, down);
        Assert.InRange(brokenRounds, 1, rounds); // the fuzzer did reach the broken-ring path
        FuzzBudget.Report(
            nameof(RingStream_HostileFrontend_OnlyBrokenRingErrorsAndNeighbourLosesNothing),
            $"mutations={hostile.Mutations} notifications={hostile.Notifications} invalid-index-writes={hostile.InvalidIndexWrites} " +
            $"rounds={rounds} broken-rounds={brokenRounds} hostile-bytes-served={bytesServed} " +
            $"neighbour-bytes-checked={2 * neighbourBytes} lost=0");
    }

    [Fact]
    public async Task RingStream_SilentOrStormingPeer_ConsumerNeitherSpinsNorBurnsCpu()
    {
        var (grant, frontendMapping) = _xen.Guest.GrantPage(DomainId.Dom0);
        using var frontend = frontendMapping;
        using var guarded = new GuardedPageMapping(_xen.Root.File("grants", LoopbackRoot.Guest1.ToString(), grant.ToString()));
        using var frontendChannel = _xen.Guest.AllocateUnbound(DomainId.Dom0);
        using var backendChannel = new CountingEventChannel(_xen.Dom0.BindInterdomain(LoopbackRoot.Guest1, frontendChannel.LocalPort));
        var hostile = new HostileConsoleFrontend(frontend.Page, frontendChannel, FuzzBudget.Random(salt: 2));
        var served = new ServedConsoleRing(guarded.Page, backendChannel);
        for (var i = 0; i < 2000 && served.ReaderBroken is null && served.WriterBroken is null; i++)
        {
            hostile.Mutate();
        }

        // Output empty, input full: the backend has nothing to do, however often it is woken.
        frontend.Page.Clear();
        hostile.Quiesce();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var (quietCpu, quietWaits) = await MeasureAsync(backendChannel, TimeSpan.FromSeconds(1), () => { });
        var (stormCpu, _) = await MeasureAsync(backendChannel, TimeSpan.Zero, () => hostile.Storm(100_000));
        var (afterCpu, afterWaits) = await MeasureAsync(backendChannel, TimeSpan.FromSeconds(1), () => { });
        await served.StopAsync(Timeout);

        FuzzBudget.Report(
            nameof(RingStream_SilentOrStormingPeer_ConsumerNeitherSpinsNorBurnsCpu),
            $"quiet-1s: waits={quietWaits} cpu-ms={quietCpu.TotalMilliseconds:F0}; sending-100k-notifications: cpu-ms={stormCpu.TotalMilliseconds:F0}; " +
            $"1s-after-storm: waits={afterWaits} cpu-ms={afterCpu.TotalMilliseconds:F0}");
        // Silent peer: at most the one wait already pending is re-armed, never a loop of them.
        Assert.InRange(quietWaits, 0, 1);
        Assert.InRange(afterWaits, 0, 3);
        // A consumer spinning on an empty ring burns a whole core: ~1000 ms in a 1 s window. The rest of
        // the process (GC, test runner; the JIT worker is not counted) stays far below half of that.
        Assert.InRange(quietCpu, TimeSpan.MinValue, TimeSpan.FromMilliseconds(500));
        Assert.InRange(afterCpu, TimeSpan.MinValue, TimeSpan.FromMilliseconds(500));
    }

    /// <summary>CPU time (every thread but the JIT worker, which re-JITs for seconds what earlier tests ran) and
    /// event channel waits during a fixed window that starts with <paramref name="action"/>.</summary>
    private static async Task<(TimeSpan Cpu, long Waits)> MeasureAsync(CountingEventChannel channel, TimeSpan window, Action action)
    {
        var before = ThreadCpu.Charged();
        action();
        var waits = channel.Waits;
        await Task.Delay(window, Ct); // measuring a window, not waiting for an event
        return (ThreadCpu.Charged() - before, channel.Waits - waits);
    }

    /// <summary>Moves a checked sequence both ways over a second console page; returns the first wrong index each way (-1 = none).</summary>
    private async Task<(long Up, long Down)> RunNeighbourAsync(long total)
    {
        var (grant, frontendMapping) = _xen.Guest.GrantPage(DomainId.Dom0);
        using var frontendPage = frontendMapping;
        using var backendPage = _xen.Dom0.MapGrant(LoopbackRoot.Guest1, grant);
        using IEventChannel frontendChannel = _xen.Guest.AllocateUnbound(DomainId.Dom0);
        using var backendChannel = _xen.Dom0.BindInterdomain(LoopbackRoot.Guest1, frontendChannel.LocalPort);
        await using var guest = new RingStream(ConsoleRing.Frontend(frontendPage.Page), frontendChannel);
        await using var host = new RingStream(ConsoleRing.Backend(backendPage.Page), backendChannel);
        var up = SequencedStreams.ReadAndCheckAsync(host, total, Ct);
        var down = SequencedStreams.ReadAndCheckAsync(guest, total, Ct);
        await Task.WhenAll(
            SequencedStreams.WriteAsync(guest, total, 700, Ct),
            SequencedStreams.WriteAsync(host, total, 300, Ct),
            up,
            down);
        return (await up, await down);
    }
}
