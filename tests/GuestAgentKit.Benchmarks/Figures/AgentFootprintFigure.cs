using System.Globalization;

namespace GuestAgentKit.Benchmarks.Figures;

/// <summary>
/// B4: gak-agent (framework-dependent build, run with <c>dotnet</c>) from process start to "waiting for dom0's
/// hello" (tty open, input flushed), its RSS idle after a handshake, its CPU per ping, the size of its
/// framework-dependent publish; qemu-ga's idle RSS and CPU per ping beside it.
/// </summary>
/// <param name="measurement">Shared with B2.</param>
internal sealed class AgentFootprintFigure(AgentMeasurement measurement) : Figure
{
    public override string Id => "B4";

    public override string Name => "agent footprint: process start to ready (ms)";

    public override string Target => "ready <= 100 ms; idle RSS <= 12 MiB";

    public override async Task<FigureResult> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var r = await measurement.GetAsync(context, cancellationToken).ConfigureAwait(false);
        return new FigureResult
        {
            Id = Id,
            Name = Name,
            Target = Target,
            Unit = "ms",
            Ours = r.ReadyMs,
            TargetMet = r.ReadyMs <= 100 && r.AgentIdleKiB <= 12 * 1024,
            Runs = 1,
            Also =
            [
                new Baseline("idle RSS", r.AgentIdleKiB / 1024.0, "MiB"),
                new Baseline("idle CPU", r.AgentIdleCpuPercent, "%"),
                new Baseline("CPU per ping", r.AgentCpuPerPing, "us"),
                new Baseline("publish (framework-dependent)", r.PublishBytes / 1048576.0, "MiB"),
                new Baseline("qemu-ga idle RSS", r.QemuGaIdleKiB / 1024.0, "MiB"),
                new Baseline("qemu-ga CPU per ping", r.QemuGaCpuPerPing, "us"),
            ],
            Note = string.Create(CultureInfo.InvariantCulture, $"one agent start; CPU per ping over {r.Pings} pings after B2's warm-up; first boot end to end not measured"),
        };
    }
}
