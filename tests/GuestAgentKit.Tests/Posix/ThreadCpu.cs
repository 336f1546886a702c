using System.Globalization;

namespace GuestAgentKit.Tests.Posix;

/// <summary>
/// CPU time of each thread of this process, from <c>/proc/self/task/*/schedstat</c> (nanoseconds on a CPU),
/// so a test can count what the code under test burned apart from the runtime's own background work: the
/// tiered-compilation worker re-JITs, for seconds, the hot methods of whatever tests ran before. CPU time,
/// unlike wall time, does not grow because the machine is busy.
/// </summary>
internal static class ThreadCpu
{
    /// <summary>The runtime's tiered-compilation worker, as /proc names it (15 characters).</summary>
    private const string JitWorker = ".NET Tiered Com";

    /// <summary>Every live thread: its id, its name and its CPU time so far.</summary>
    public static Dictionary<int, (string Name, TimeSpan Cpu)> Snapshot()
    {
        var threads = new Dictionary<int, (string, TimeSpan)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                var id = int.Parse(Path.GetFileName(dir), CultureInfo.InvariantCulture);
                var name = File.ReadAllText(Path.Combine(dir, "comm")).TrimEnd('\n');
                var ns = long.Parse(File.ReadAllText(Path.Combine(dir, "schedstat")).Split(' ')[0], CultureInfo.InvariantCulture);
                threads[id] = (name, TimeSpan.FromTicks(ns / 100));
            }
            catch (IOException)
            {
                // The thread ended while we looked: it burns nothing any more.
            }
        }

        return threads;
    }

    /// <summary>CPU time of the live threads but the JIT worker (a thread that ended takes its time with it).</summary>
    public static TimeSpan Charged() =>
        Snapshot().Values.Where(t => t.Name != JitWorker).Aggregate(TimeSpan.Zero, (sum, t) => sum + t.Cpu);

    /// <summary>Names of the live threads.</summary>
    public static IReadOnlyCollection<string> Names() => [.. Snapshot().Values.Select(t => t.Name)];

    /// <summary>
    /// CPU time the process's threads (but the JIT worker) spent during <paramref name="window"/>, and the
    /// three biggest spenders for the assertion message.
    /// </summary>
    public static async Task<(TimeSpan Cpu, string Top)> MeasureAsync(TimeSpan window, CancellationToken cancellationToken)
    {
        var before = Snapshot();
        await Task.Delay(window, cancellationToken); // measuring a window, not waiting for an event
        var spent = Snapshot()
            .Where(t => t.Value.Name != JitWorker)
            .Select(t => (t.Value.Name, Cpu: t.Value.Cpu - (before.TryGetValue(t.Key, out var b) ? b.Cpu : TimeSpan.Zero)))
            .OrderByDescending(t => t.Cpu)
            .ToList();
        var total = spent.Aggregate(TimeSpan.Zero, (sum, t) => sum + t.Cpu);
        var top = string.Join(", ", spent.Take(3).Select(t => $"{t.Name} {t.Cpu.TotalMilliseconds:F0} ms"));
        return (total, top);
    }
}
