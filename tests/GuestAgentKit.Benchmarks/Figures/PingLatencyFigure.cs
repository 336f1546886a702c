using System.Globalization;

namespace GuestAgentKit.Benchmarks.Figures;

/// <summary>
/// B2: <c>agent.ping</c> round trips from dom0's socket through gak-host backend, the ring and the emulated hvc tty
/// to gak-agent and back; beside it qemu-ga's <c>guest-ping</c> over the same channel and our JSON-RPC ping over a
/// plain Unix socket pair. Lower is better: the ratio column is ours / qemu-ga. Ours is the NativeAOT agent B4
/// measures (the build a guest image ships: docs/guest.md); the framework-dependent build's figures are beside it.
/// </summary>
/// <param name="measurement">Shared with B4.</param>
internal sealed class PingLatencyFigure(AgentMeasurement measurement) : Figure
{
    public override string Id => "B2";

    public override string Name => "agent.ping latency p50, sequential round trips (us)";

    public override string Target => "p50 <= qemu-ga guest-ping; p50 <= 2 x plain Unix socket";

    public override async Task<FigureResult> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var aot = await measurement.GetNativeAotAsync(context, cancellationToken).ConfigureAwait(false);
        var r = await measurement.GetAsync(context, cancellationToken).ConfigureAwait(false);
        var ours = aot.Run;
        return new FigureResult
        {
            Id = Id,
            Name = Name,
            Target = Target,
            Unit = "us",
            Ours = ours.P50,
            PeerName = "qemu-ga guest-ping p50",
            Peer = r.QemuGaP50,
            TargetMet = ours.P50 <= r.QemuGaP50 && ours.P50 <= 2 * r.PairP50,
            Runs = 1,
            Also =
            [
                new Baseline("ours p99", ours.P99),
                new Baseline("qemu-ga p99", r.QemuGaP99),
                new Baseline("socket pair p50", r.PairP50),
                new Baseline("socket pair p99", r.PairP99),
                new Baseline("framework-dependent: p50", r.Ours.P50),
                new Baseline("framework-dependent: p99", r.Ours.P99),
            ],
            Note = string.Create(CultureInfo.InvariantCulture, $"ours = {aot.Build.Description}; {r.Pings} round trips each after 2 s (quick: 100) untimed; ratio = ours / qemu-ga (lower is better)"),
        };
    }
}
