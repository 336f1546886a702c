using System.Diagnostics;
using System.Globalization;

namespace GuestAgentKit.EndToEnd.Tests.Faults;

/// <summary>
/// Reconnect soak (issue 9) through the <c>gak-host backend</c> PROCESS on the loopback: the guest streams into its
/// hvc without pause while dom0 clients come and go, each writing a random amount and leaving at a random point of
/// the guest's stream, losslessly (shutdown(SHUT_RD), read what is queued, shutdown(SHUT_WR): what
/// <c>AgentClient</c> does). Nothing may be lost, duplicated or reordered either way: no jump at all.
/// </summary>
public sealed class ReconnectSoakTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Backend_ReconnectsMidStream_NothingLostDuplicatedOrReorderedEitherWay()
    {
        var sessions = SoakBudget.Pick(1000, 10_000);
        var random = new Random(20261125);
        await using var rig = await LoopbackRig.StartAsync();
        var channel = await rig.AddDomainAsync("soak", "org.example.seq.1");
        var backend = rig.StartBackend();
        await rig.WaitConnectedAsync(channel);
        await using var guest = GuestStreamer.Start(channel.Device, seed: 3);
        var dom0 = new Dom0Streamer(seed: 4);
        var clock = Stopwatch.StartNew();

        for (var session = 0; session < sessions; session++)
        {
            using var socket = await LoopbackRig.ConnectAsync(channel.SocketPath, LoopbackRig.Timeout);
            dom0.FromGuest.BeginSegment();
            var writer = dom0.WriteAsync(socket, count: random.Next(0, 6000));
            var target = dom0.FromGuest.Expected + random.Next(1, 12000);
            Assert.False(await dom0.ReadAsync(socket, () => dom0.FromGuest.Expected >= target).WaitAsync(LoopbackRig.Timeout, Ct), "the backend closed a live session");
            if (await Task.WhenAny(writer, Task.Delay(LoopbackRig.Timeout, Ct)) != writer)
            {
                Assert.Fail($"session {session}: dom0's write of its bytes did not finish in {LoopbackRig.Timeout}; {guest.Status}; {await rig.DescribeAsync(channel)}");
            }

            Assert.True(await writer, "a write failed");
            await dom0.CloseLosslesslyAsync(socket);
        }

        // A last session takes whatever is left: connected before the guest stops, since the guest's last write
        // may be waiting for a reader (no client: the ring and the pty are full).
        using (var last = await LoopbackRig.ConnectAsync(channel.SocketPath, LoopbackRig.Timeout))
        {
            dom0.FromGuest.BeginSegment();
            var reader = dom0.ReadAsync(last);
            var guestTotal = await guest.StopWritingAsync();
            await rig.WaitUntilAsync(() => Task.FromResult(dom0.FromGuest.Expected >= guestTotal || reader.IsCompleted), "dom0 to read all the guest wrote");
            await rig.WaitUntilAsync(() => Task.FromResult(guest.FromDom0.Expected >= dom0.Next), "the guest to read all dom0 wrote");
            Assert.False(reader.IsCompleted, "the last session ended early");
            last.Shutdown(System.Net.Sockets.SocketShutdown.Receive);
            await reader.WaitAsync(LoopbackRig.Timeout, Ct);
            last.Shutdown(System.Net.Sockets.SocketShutdown.Send);
        }

        SoakBudget.Report(
            nameof(Backend_ReconnectsMidStream_NothingLostDuplicatedOrReorderedEitherWay),
            string.Create(CultureInfo.InvariantCulture, $"{sessions} reconnects in {clock.Elapsed.TotalSeconds:0.0} s; ")
            + dom0.FromGuest.Describe("guest->dom0") + "; " + guest.FromDom0.Describe("dom0->guest"));
        Assert.False(backend.HasExited);
        Assert.Empty(dom0.FromGuest.Jumps);
        Assert.Equal(0, dom0.FromGuest.Corrupt);
        Assert.Equal(guest.Written, dom0.FromGuest.Expected);
        Assert.Equal(guest.Written, dom0.FromGuest.Received);
        Assert.Empty(guest.FromDom0.Jumps);
        Assert.Equal(0, guest.FromDom0.Corrupt);
        Assert.Equal(dom0.Next, guest.FromDom0.Expected);
        Assert.Equal(dom0.Next, guest.FromDom0.Received);
    }
}
