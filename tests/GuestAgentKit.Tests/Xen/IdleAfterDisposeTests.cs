using GuestAgentKit.Posix;
using GuestAgentKit.Tests.Posix;
using GuestAgentKit.Xen;
using GuestAgentKit.Xen.Platform.Loopback;
using GuestAgentKit.Xen.Rings;

namespace GuestAgentKit.Tests.Xen;

/// <summary>
/// After the ring machinery is disposed nothing of it may go on running: no poller thread left blocked for
/// ever, no wait loop spinning on a closed descriptor. Asserted with CPU time, which a busy machine does not
/// inflate (a spinner burns hundreds of milliseconds a second even on a loaded box).
/// </summary>
[Collection(IdleCollection.Name)]
public sealed class IdleAfterDisposeTests
{
    private const string PollerName = "idle-test-poll"; // under /proc's 15 characters, unique in the process
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Dispose_AfterTrafficBothWays_PollerThreadEndsAndProcessStaysIdle()
    {
        using (var root = new LoopbackRoot())
        {
            var poller = new FdPoller(PollerName);
            using (var dom0 = new LoopbackPlatform(root.Path, DomainId.Dom0, poller))
            {
                var guest = new LoopbackDomain(root.Path, LoopbackRoot.Guest1, poller);
                var (grant, frontendPage) = guest.GrantPage(DomainId.Dom0);
                using (frontendPage)
                using (var backendPage = dom0.MapGrant(LoopbackRoot.Guest1, grant))
                using (var frontendChannel = guest.AllocateUnbound(DomainId.Dom0))
                using (var backendChannel = dom0.BindInterdomain(LoopbackRoot.Guest1, frontendChannel.LocalPort))
                {
                    await using var front = new RingStream(ConsoleRing.Frontend(frontendPage.Page), frontendChannel);
                    await using var back = new RingStream(ConsoleRing.Backend(backendPage.Page), backendChannel);
                    const int Total = 256 * 1024; // many times both 2 KiB/1 KiB rings: every wait path runs
                    await Task.WhenAll(CopyAsync(front, back, Total), CopyAsync(back, front, Total)).WaitAsync(Timeout, Ct);

                    // A read still pending at dispose: its wait must end, not linger.
                    var pending = back.ReadAsync(new byte[16], Ct).AsTask();
                    await back.DisposeAsync();
                    await Assert.ThrowsAnyAsync<ObjectDisposedException>(() => pending.WaitAsync(Timeout, Ct));
                }
            }

            poller.Dispose();
        }

        await WaitForThreadGoneAsync(PollerName);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var (cpu, top) = await ThreadCpu.MeasureAsync(TimeSpan.FromSeconds(1), Ct);
        Assert.True(cpu < TimeSpan.FromMilliseconds(50), $"the idle process burned {cpu.TotalMilliseconds:F0} ms of CPU in 1 s (top: {top})");
    }

    [Fact]
    public async Task Dispose_ThreadBlockedInEpollWait_ThreadEnds()
    {
        const string Name = "idle-test-bare";
        var poller = new FdPoller(Name);
        Assert.Contains(Name, ThreadCpu.Names());

        poller.Dispose();

        await WaitForThreadGoneAsync(Name);
    }

    private static async Task CopyAsync(RingStream from, RingStream to, int total)
    {
        var writer = Task.Run(
            async () =>
            {
                var chunk = new byte[700];
                for (var sent = 0; sent < total; sent += chunk.Length)
                {
                    await from.WriteAsync(chunk.AsMemory(0, Math.Min(chunk.Length, total - sent)), Ct);
                }
            },
            Ct);
        var buffer = new byte[1000];
        for (var received = 0; received < total;)
        {
            received += await to.ReadAsync(buffer, Ct);
        }

        await writer;
    }

    /// <summary>Waits (bounded) until no thread of the process has <paramref name="name"/>: a thread's end has no event to wait on.</summary>
    private static async Task WaitForThreadGoneAsync(string name)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (ThreadCpu.Names().Contains(name))
        {
            Assert.True(DateTime.UtcNow < deadline, $"thread {name} still runs {Timeout.TotalSeconds} s after its poller was disposed");
            await Task.Delay(20, Ct);
        }
    }
}
