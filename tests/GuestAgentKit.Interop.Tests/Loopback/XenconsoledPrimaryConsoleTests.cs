using System.Security.Cryptography;
using GuestAgentKit.Interop.Tests.Harness;
using GuestAgentKit.Interop.Tests.RealXen;
using GuestAgentKit.Posix;

namespace GuestAgentKit.Interop.Tests.Loopback;

/// <summary>
/// Debian's real <c>xenconsoled</c> serves the PRIMARY console (console 0) of a domain our guest kernel
/// emulator runs: the emulator's ring behaviour (indices, wrap-around, notifications, flow control when the
/// ring is full) checked against Xen's own console backend, not against our backend.
/// </summary>
public sealed class XenconsoledPrimaryConsoleTests
{
    private static readonly TimeSpan TransferTimeout = TimeSpan.FromMinutes(2);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(XenStoredKind.C)]
    [InlineData(XenStoredKind.OCaml)]
    public async Task EmulatedHvc0_ServedByXenconsoled_OneMiBBinaryEachWayIntact(XenStoredKind kind)
    {
        await using var loopback = await RealXenLoopback.StartAsync(kind, Ct);
        // keep: with a slow pty reader xenconsoled would otherwise discard buffered output past 5/4 of the
        // console limit; with it, the ring fills and the emulator must wait, which is what is under test.
        await using var consoled = RealXenConsoled.Start(loopback.Store, keepOverflow: true);
        var domain = await loopback.Xen.CreateDomainAsync("console", null, Ct).WaitAsync(RealXenLoopback.Timeout, Ct);

        // xenconsoled maps grant ref 0, binds the console port and then writes the pty it made.
        var tty = await loopback.WaitForValueAsync($"/local/domain/{domain.Id}/console/tty", null, Ct);
        Assert.True(tty.StartsWith("/dev/pts/", StringComparison.Ordinal), $"{tty}; {consoled.ExitReport()}");
        await using var hvc0 = Tty.OpenRaw(Path.Combine(domain.GuestDirectory, "hvc0"));
        await using var dom0Console = Tty.OpenRaw(tty);
        var guestOutput = RandomNumberGenerator.GetBytes(1 << 20);
        var typedInput = RandomNumberGenerator.GetBytes(1 << 20);

        // Both at once: guest hvc0 -> out ring -> xenconsoled -> its pty, and pty -> in ring -> hvc0.
        var received = await Task.WhenAll(
            ByteTransfer.SendAsync(hvc0, guestOutput, dom0Console, Ct),
            ByteTransfer.SendAsync(dom0Console, typedInput, hvc0, Ct)).WaitAsync(TransferTimeout, Ct);

        Assert.True(guestOutput.AsSpan().SequenceEqual(received[0]), "guest output arrived changed on xenconsoled's pty");
        Assert.True(typedInput.AsSpan().SequenceEqual(received[1]), "pty input arrived changed on hvc0");
        // xenconsoled logged the guest's output too (--log=guest) before writing it to the pty: all of it.
        Assert.Equal(guestOutput.Length, new FileInfo(Path.Combine(consoled.LogDirectory, "guest-console.log")).Length);
    }
}
