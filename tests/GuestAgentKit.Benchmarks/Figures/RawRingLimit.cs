using System.Globalization;

namespace GuestAgentKit.Benchmarks.Figures;

/// <summary>
/// The raw limit of the console ring on the loopback mechanism, the peer of B1 and B1b: the C ring copier
/// (tests/native/bench/ring_copier.c) run twice in the same window, blocking in poll() whenever the ring is
/// full or empty, and spinning <see cref="SpinMicroseconds"/> before blocking. Which is faster depends on
/// the machine (on an idle box each blocking wake-up pays an idle-state exit and spinning wins by ~100 x;
/// on a loaded 2-core box the spinner burns the slice its peer needs and loses), so the limit is the faster
/// of the two, and the other is reported beside it.
/// </summary>
/// <param name="Limit">The faster variant: the figure's peer.</param>
/// <param name="Other">The slower variant, for the Also column.</param>
internal sealed record RawRingLimit(Baseline Limit, Baseline Other)
{
    public const int SpinMicroseconds = 50;

    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);

    public static async Task<RawRingLimit> MeasureAsync(BenchmarkContext context, string figureId, int bytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var copier = await context.Peers.RingCopierAsync().ConfigureAwait(false);
        var blocking = new Baseline(
            "C ring copier, blocking",
            await context.MedianAsync($"{figureId} C copier", () => MeasureCopierAsync(copier, bytes, 0, cancellationToken)).ConfigureAwait(false));
        var spinning = new Baseline(
            $"C ring copier, spinning {SpinMicroseconds} us before blocking",
            await context.MedianAsync($"{figureId} C copier spinning", () => MeasureCopierAsync(copier, bytes, SpinMicroseconds, cancellationToken)).ConfigureAwait(false));
        return spinning.Value > blocking.Value ? new RawRingLimit(spinning, blocking) : new RawRingLimit(blocking, spinning);
    }

    private static async Task<double> MeasureCopierAsync(string copier, int bytes, int spinMicroseconds, CancellationToken cancellationToken)
    {
        var directory = Directory.CreateTempSubdirectory("gak-bench-copier-").FullName;
        try
        {
            var result = await Interop.Tests.RealXen.ChildProcess.RunAsync(
                copier,
                [directory, bytes.ToString(CultureInfo.InvariantCulture), spinMicroseconds.ToString(CultureInfo.InvariantCulture)],
                new Dictionary<string, string>(),
                RunTimeout,
                cancellationToken).ConfigureAwait(false);
            return PeerOutput.Rate(result, "ring copier");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
