using GuestAgentKit.Interop.Tests.RealXen;
using GuestAgentKit.Loopback;
using GuestAgentKit.Posix;

namespace GuestAgentKit.Benchmarks.Figures;

/// <summary>
/// B1b's other peer: Debian's real <c>xenconsoled</c> moving the same kind of bytes through the PRIMARY console of
/// a domain on the same guest kernel emulator (hvc0's pty -> ring -> xenconsoled -> its pty, and back), on the
/// loopback of Debian's C xenstored with the tests/native stand-ins, as the interop tests run it
/// (<c>--overflow-data=keep</c>: lossless, the ring fills instead). xenconsoled rate-limits each console to 30
/// events per 200 ms, so a few hundred KiB per run are enough.
/// </summary>
internal static class XenconsoledThroughput
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Bytes per run and direction.</summary>
    public static int Bytes(bool quick) => quick ? 64 << 10 : 512 << 10;

    /// <summary>Each direction's median MiB/s.</summary>
    public static async Task<(double Up, double Down)> MeasureAsync(BenchmarkContext context, string figureId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var source = new byte[Bytes(context.Quick)];
        new Random(10).NextBytes(source);
        await using var store = await RealXenStored.StartAsync(XenStoredKind.C, cancellationToken).WaitAsync(RealXenStored.StartTimeout, cancellationToken).ConfigureAwait(false);
        await using var xen = await LoopbackXen.StartAsync(store.Root, new LoopbackXenOptions { ExternalXenStoredSocket = store.SocketPath }, cancellationToken).ConfigureAwait(false);
        await using var consoled = RealXenConsoled.Start(store, keepOverflow: true);
        var domain = await xen.CreateDomainAsync("console", cancellationToken: cancellationToken).ConfigureAwait(false);
        await using var dom0 = await store.ConnectAsync(cancellationToken).ConfigureAwait(false);

        // xenconsoled maps the console page, binds its port, then writes the pty it made.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        string? tty;
        while ((tty = await dom0.ReadAsync($"/local/domain/{domain.Id}/console/tty", cancellationToken).ConfigureAwait(false)) is null)
        {
            if (clock.Elapsed > ConnectTimeout)
            {
                throw new TimeoutException($"xenconsoled did not serve the console within {ConnectTimeout}: {consoled.ExitReport()}");
            }

            await Task.Delay(20, cancellationToken).ConfigureAwait(false); // polling xenstore for the harness only
        }

        await using var hvc0 = Tty.OpenRaw(Path.Combine(domain.GuestDirectory, "hvc0"));
        await using var console = Tty.OpenRaw(tty);
        var up = await context.MedianAsync($"{figureId} xenconsoled guest->dom0", () => BackendThroughputFigure.MoveAsync(hvc0, console, source, cancellationToken)).ConfigureAwait(false);
        var down = await context.MedianAsync($"{figureId} xenconsoled dom0->guest", () => BackendThroughputFigure.MoveAsync(console, hvc0, source, cancellationToken)).ConfigureAwait(false);
        return (up, down);
    }
}
