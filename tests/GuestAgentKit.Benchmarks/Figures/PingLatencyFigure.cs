using System.Globalization;

namespace GuestAgentKit.Benchmarks.Figures;

/// <summary>
/// B2: <c>agent.ping</c> round trips from dom0's socket through gak-host backend, the ring and the emulated hvc tty
/// to gak-agent and back; beside it qemu-ga's <c>guest-ping</c> over the same channel and our JSON-RPC ping over a
/// plain Unix socket pair. Lower is better: the ratio column is ours / qemu-ga.
/// </summary>
/// <param name="measurement">Shared with B4.</param>
internal sealed class PingLatencyFigure(AgentMeasurement measurement) : Figure
{
    public override string Id => "B2";

    public override string Name => "agent.ping latency p50, sequential round trips (us)";

    public override string Target => "p50 <= qemu-ga guest-ping; p50 <= 2 x plain Unix socket";

    public override async Task<FigureResult> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var r = await measurement.GetAsync(context, cancellationToken).ConfigureAwait(false);
        return new FigureResult
        {
            Id = Id,
            Name = Name,
            Target = Target,
            Unit = "us",
            Ours = r.Ours.P50,
            PeerName = "qemu-ga guest-ping p50",
            Peer = r.QemuGaP50,
            TargetMet = r.Ours.P50 <= r.QemuGaP50 && r.Ours.P50 <= 2 * r.PairP50,
            Runs = 1,
            Also =
            [
                new Baseline("ours p99", r.Ours.P99),
                new Baseline("qemu-ga p99", r.QemuGaP99),
                new Baseline("socket pair p50", r.PairP50),
                new Baseline("socket pair p99", r.PairP99),
            ],
            Note = string.Create(CultureInfo.InvariantCulture, $"{r.Pings} round trips each after 2 s (quick: 100) untimed; ratio = ours / qemu-ga (lower is better)"),
        };
    }
}
