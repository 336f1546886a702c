using System.Diagnostics;
using System.Globalization;

namespace GuestAgentKit.Benchmarks.Figures;

/// <summary>A child process's resident memory and CPU time, from /proc.</summary>
internal static class ChildMeter
{
    /// <summary>Resident memory (VmRSS), KiB.</summary>
    public static long ResidentKiB(int pid) =>
        File.ReadLines($"/proc/{pid}/status")
            .Where(line => line.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Select(line => long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture))
            .Single();

    /// <summary>User + system CPU time so far.</summary>
    public static TimeSpan CpuTime(Process process)
    {
        process.Refresh();
        return process.TotalProcessorTime;
    }
}
