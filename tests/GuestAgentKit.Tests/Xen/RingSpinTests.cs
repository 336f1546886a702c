using System.Diagnostics;
using GuestAgentKit.Xen;
using GuestAgentKit.Xen.Rings;
using Microsoft.Extensions.Time.Testing;

namespace GuestAgentKit.Tests.Xen;

/// <summary>
/// The spin a ring waiter does before blocking (<see cref="RingSpin"/>, used by <see cref="RingStream"/>): when it
/// spins, that it gives up and backs off, and that a stream whose peer acts just before, while or just after the
/// spin ends loses no wake-up, and that disposing during a spin ends the wait. No timing is asserted: a lost
/// wake-up shows as a wait that never completes.
/// </summary>
public sealed class RingSpinTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    // Around the spin bound (50 us) and well past it, so the peer acts during the spin, as it gives up, and
    // after the waiter has blocked.
    private static readonly int[] PeerDelaysMicroseconds = [0, 5, 20, 40, 45, 50, 55, 60, 80, 150, 1000];

    private readonly LoopbackPeers _xen = new("ring-spin-poller");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _xen.Dispose();

    [Fact]
    public void ShouldSpin_NothingMovedYet_False()
    {
        Assert.False(new RingSpin().ShouldSpin());
    }

    [Fact]
    public void ShouldSpin_IdleLongerThanTheActivityWindow_False()
    {
        var time = new FakeTimeProvider();
        var spin = new RingSpin(time);
        spin.Moved();
        Assert.True(spin.ShouldSpin());

        time.Advance(Limits.RingSpinAfterActivity + TimeSpan.FromTicks(1));

        Assert.False(spin.ShouldSpin());
    }

    [Fact]
    public void Spin_PeerNeverActs_GivesUpAndBacksOffForLongerEachTime()
    {
        var time = new FakeTimeProvider();
        var spin = new RingSpin(time);
        var skipped = new List<int>();
        for (var miss = 0; miss < 8; miss++)
        {
            spin.Moved();
            Assert.True(spin.ShouldSpin());
            Assert.False(spin.Spin(static t => Elapse(t, TimeSpan.FromMicroseconds(7)), time));

            // Count the waits that block without spinning before spinning is allowed again.
            var skips = 0;
            spin.Moved();
            while (!spin.ShouldSpin())
            {
                skips++;
            }

            skipped.Add(skips);
        }

        Assert.Equal([1, 3, 7, 15, 31, 63, Limits.RingSpinBackoffMaxWaits, Limits.RingSpinBackoffMaxWaits], skipped);
    }

    [Fact]
    public void Spin_PeerActs_CatchesAndEndsTheBackOff()
    {
        var time = new FakeTimeProvider();
        var spin = new RingSpin(time);
        spin.Moved();
        Assert.False(spin.Spin(static t => Elapse(t, Limits.RingSpin), time));
        Assert.False(spin.ShouldSpin()); // backing off: one wait without spinning

        time.Advance(TimeSpan.FromMicroseconds(10));
        Assert.True(spin.Spin(static checks => ++checks[0] >= 3, new int[1]));
        time.Advance(Limits.RingSpinAfterActivity); // the catch counted as activity: still within the window

        Assert.True(spin.ShouldSpin());
        Assert.False(spin.Spin(static t => Elapse(t, Limits.RingSpin), time));
        spin.Moved();
        Assert.False(spin.ShouldSpin()); // the catch reset the back-off: one wait again, not three
        Assert.True(spin.ShouldSpin());
    }

    [Fact]
    public async Task Read_PeerWritesAroundTheEndOfTheSpin_EveryByteArrives()
    {
        await using var pair = Pair();
        var buffer = new byte[1];
        for (var round = 0; round < 20 * PeerDelaysMicroseconds.Length; round++)
        {
            // The reader has just read (so it spins); the writer writes after a delay around the spin bound.
            var delay = PeerDelaysMicroseconds[round % PeerDelaysMicroseconds.Length];
            var writer = Task.Run(
                async () =>
                {
                    BusyWait(delay);
                    await pair.Front.WriteAsync(new[] { (byte)round }, Ct);
                },
                Ct);

            Assert.Equal(1, await pair.Back.ReadAsync(buffer, Ct).AsTask().WaitAsync(Timeout, Ct));
            Assert.Equal((byte)round, buffer[0]);
            await writer.WaitAsync(Timeout, Ct);
        }
    }

    [Fact]
    public async Task Write_PeerFreesRoomAroundTheEndOfTheSpin_EveryByteArrives()
    {
        await using var pair = Pair();
        var ringSize = XenConsInterface.Out.Size;
        var sent = 0;
        var received = 0;
        var buffer = new byte[ringSize];

        // Fill the ring so every further write waits for room.
        await pair.Front.WriteAsync(Sequence(sent, ringSize), Ct);
        sent += ringSize;
        for (var round = 0; round < 20 * PeerDelaysMicroseconds.Length; round++)
        {
            var delay = PeerDelaysMicroseconds[round % PeerDelaysMicroseconds.Length];
            var next = Sequence(sent, 1);
            var write = Task.Run(async () => await pair.Front.WriteAsync(next, Ct), Ct); // spins (it just wrote), then blocks
            sent++;
            BusyWait(delay);
            var n = await pair.Back.ReadAsync(buffer.AsMemory(0, 1), Ct).AsTask().WaitAsync(Timeout, Ct);
            Assert.Equal(Sequence(received, n), buffer[..n]);
            received += n;
            await write.WaitAsync(Timeout, Ct);
        }

        while (received < sent)
        {
            var n = await pair.Back.ReadAsync(buffer, Ct).AsTask().WaitAsync(Timeout, Ct);
            Assert.Equal(Sequence(received, n), buffer[..n]);
            received += n;
        }
    }

    [Fact]
    public async Task Dispose_WhileAReadSpinsOrWaits_TheReadFailsWithObjectDisposed()
    {
        for (var round = 0; round < 20; round++)
        {
            await using var pair = Pair();
            await pair.Front.WriteAsync(new byte[] { 1 }, Ct);
            Assert.Equal(1, await pair.Back.ReadAsync(new byte[1], Ct).AsTask().WaitAsync(Timeout, Ct));

            // The reader just read, so this read spins first; dispose lands in the spin or in the wait after it.
            var read = Task.Run(async () => await pair.Back.ReadAsync(new byte[1], Ct), Ct);
            BusyWait(round * 5);
            await pair.Back.DisposeAsync().AsTask().WaitAsync(Timeout, Ct);

            await Assert.ThrowsAnyAsync<ObjectDisposedException>(() => read.WaitAsync(Timeout, Ct));
        }
    }

    /// <summary>A peer that never acts, while the fake clock runs on.</summary>
    private static bool Elapse(FakeTimeProvider time, TimeSpan step)
    {
        time.Advance(step);
        return false;
    }

    private static void BusyWait(int microseconds)
    {
        var until = Stopwatch.GetTimestamp() + (microseconds * Stopwatch.Frequency / 1_000_000);
        while (Stopwatch.GetTimestamp() < until)
        {
            Thread.SpinWait(10);
        }
    }

    private static byte[] Sequence(int start, int count) =>
        Enumerable.Range(start, count).Select(i => (byte)(i * 7)).ToArray();

    private StreamPair Pair()
    {
        var (grant, frontendPage) = _xen.Guest.GrantPage(DomainId.Dom0);
        var backendPage = _xen.Dom0.MapGrant(LoopbackRoot.Guest1, grant);
        var frontendChannel = _xen.Guest.AllocateUnbound(DomainId.Dom0);
        var backendChannel = _xen.Dom0.BindInterdomain(LoopbackRoot.Guest1, frontendChannel.LocalPort);
        return new StreamPair(
            new RingStream(ConsoleRing.Frontend(frontendPage.Page), frontendChannel),
            new RingStream(ConsoleRing.Backend(backendPage.Page), backendChannel),
            [frontendChannel, backendChannel, frontendPage, backendPage]);
    }

    private sealed class StreamPair(RingStream front, RingStream back, IDisposable[] owned) : IAsyncDisposable
    {
        public RingStream Front => front;

        public RingStream Back => back;

        public async ValueTask DisposeAsync()
        {
            await front.DisposeAsync();
            await back.DisposeAsync();
            foreach (var item in owned)
            {
                item.Dispose();
            }
        }
    }
}
