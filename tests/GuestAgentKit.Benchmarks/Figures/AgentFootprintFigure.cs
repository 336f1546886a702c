using System.Globalization;

namespace GuestAgentKit.Benchmarks.Figures;

/// <summary>
/// B4: the NativeAOT gak-agent (published by the harness from this tree) from process start to "waiting for dom0's hello"
/// (tty found through xenbus, opened raw, input flushed), its RSS and CPU idle after a handshake, its CPU per ping and
/// binary size; beside it the framework-dependent build (run with <c>dotnet</c>) measured the same way with its publish
/// size, and qemu-ga's idle RSS and CPU per ping.
/// </summary>
/// <param name="measurement">Shared with B2.</param>
internal sealed class AgentFootprintFigure(AgentMeasurement measurement) : Figure
{
    public override string Id => "B4";

    public override string Name => "agent footprint: process start to ready (ms)";

    public override string Target => "ready <= 100 ms; idle RSS <= 12 MiB";

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
            Unit = "ms",
            Ours = ours.ReadyMs,
            TargetMet = ours.ReadyMs <= 100 && ours.IdleKiB <= 12 * 1024,
            Runs = 1,
            Also =
            [
                new Baseline("idle RSS", ours.IdleKiB / 1024.0, "MiB"),
                new Baseline("idle CPU", ours.IdleCpuPercent, "%"),
                new Baseline("CPU per ping", ours.CpuPerPing, "us"),
                new Baseline("binary (NativeAOT)", aot.BinaryBytes / 1048576.0, "MiB"),
                new Baseline("framework-dependent: ready", r.Ours.ReadyMs, "ms"),
                new Baseline("framework-dependent: idle RSS", r.Ours.IdleKiB / 1024.0, "MiB"),
                new Baseline("framework-dependent: CPU per ping", r.Ours.CpuPerPing, "us"),
                new Baseline("framework-dependent: publish", r.PublishBytes / 1048576.0, "MiB"),
                new Baseline("qemu-ga idle RSS", r.QemuGaIdleKiB / 1024.0, "MiB"),
                new Baseline("qemu-ga CPU per ping", r.QemuGaCpuPerPing, "us"),
            ],
            Note = string.Create(CultureInfo.InvariantCulture, $"ours = {aot.Build.Description}; one agent start per build; CPU per ping over {r.Pings} pings after B2's warm-up; first boot end to end: B4-boot"),
        };
    }
}
