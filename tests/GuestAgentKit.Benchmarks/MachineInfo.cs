using System.Runtime.InteropServices;

namespace GuestAgentKit.Benchmarks;

/// <summary>The machine a run measured: figures mean little without it.</summary>
/// <param name="Processors">Online processors (nproc).</param>
/// <param name="Model">The CPU's model name from /proc/cpuinfo.</param>
/// <param name="MemoryMiB">MemTotal from /proc/meminfo.</param>
/// <param name="LoadAverage">/proc/loadavg at the start (other work on the box skews every figure).</param>
/// <param name="Os">The kernel.</param>
/// <param name="Runtime">The .NET runtime.</param>
public sealed record MachineInfo(int Processors, string Model, long MemoryMiB, string LoadAverage, string Os, string Runtime)
{
    /// <summary>Reads this machine's description.</summary>
    /// <returns>The description.</returns>
    public static MachineInfo Current()
    {
        var model = ProcField("/proc/cpuinfo", "model name") ?? "unknown";
        var memory = ProcField("/proc/meminfo", "MemTotal") is { } total && long.TryParse(total.Split(' ')[0], out var kib) ? kib / 1024 : 0;
        var load = File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
        return new(Environment.ProcessorCount, model, memory, load, RuntimeInformation.OSDescription, RuntimeInformation.FrameworkDescription);
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"{Processors} x {Model}, {MemoryMiB} MiB, load average {LoadAverage} at start, {Os}, {Runtime}";

    private static string? ProcField(string file, string name) =>
        File.Exists(file)
            ? File.ReadLines(file)
                .Select(line => line.Split(':', 2))
                .Where(parts => parts.Length == 2 && parts[0].Trim() == name)
                .Select(parts => parts[1].Trim())
                .FirstOrDefault()
            : null;
}
