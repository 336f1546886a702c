using GuestAgentKit.Benchmarks.Figures;

namespace GuestAgentKit.Benchmarks;

/// <summary>Runs the selected figures in table order, prints one table and writes the JSON report.</summary>
public static class BenchmarkHarness
{
    // B1b, B2 and B4 need the backend, the guest kernel emulator and the agent host together; they reached
    // this branch (merged from their branches, not yet on main) too late to write these figures.
    private const string Backend = "a figure over gak-host backend's socket/pty proxy on LoopbackXen";
    private const string Agent = "a figure running gak-agent on a LoopbackXen guest";

    /// <summary>Every figure of issue 8, in table order (B3 at 1, 100, 1000 domains; 1 and 10 in the quick mode).</summary>
    /// <param name="quick">The smoke mode.</param>
    /// <returns>The figures.</returns>
    public static IReadOnlyList<Figure> AllFigures(bool quick) =>
    [
        new RingThroughputFigure(),
        new PendingFigure("B1b", "throughput through the backend, both directions, socket and pty (MiB/s)", ">= 0.8 x C ring copier; >= 100 x xenconsoled", Backend),
        new PendingFigure("B2", "agent.ping latency p50/p99, 10k round trips (us)", "p50 <= qemu-ga guest-ping; p50 <= 2 x plain Unix socket", Agent + " behind gak-host backend, and qemu-ga on the same channel"),
        .. (quick ? new[] { 1, 10 } : [1, 100, 1000]).Select(n => new ScaleFigure(n)),
        new PendingFigure("B4", "agent footprint: ready time, idle RSS, CPU per ping", "ready <= 100 ms; idle RSS <= 12 MiB", Agent + ", and qemu-ga beside it"),
        new XenStoreFigure(XenStoreOperation.Read),
        new XenStoreFigure(XenStoreOperation.Write),
    ];

    /// <summary>Measures the figures <paramref name="options"/> selects; a figure that fails becomes a FAILED row.</summary>
    /// <param name="options">Mode, selection and JSON path.</param>
    /// <param name="output">Where the table goes (stdout).</param>
    /// <param name="log">Where progress goes (stderr).</param>
    /// <param name="cancellationToken">Stops the run.</param>
    /// <returns>The report.</returns>
    public static async Task<BenchmarkReport> RunAsync(BenchmarkOptions options, TextWriter output, TextWriter log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(log);
        var machine = MachineInfo.Current();
        log.WriteLine($"machine: {machine}");
        var context = new BenchmarkContext(options, log);
        var results = new List<FigureResult>();
        foreach (var figure in AllFigures(options.Quick).Where(f => options.Selects(f.Id)))
        {
            log.WriteLine($"{figure.Id}: {figure.Name}");
            try
            {
                results.Add(await figure.RunAsync(context, cancellationToken).ConfigureAwait(false));
            }
            catch (Exception error) when (!cancellationToken.IsCancellationRequested)
            {
                // One figure's broken peer must not cost the others' rows.
                log.WriteLine($"  {figure.Id} failed: {error}");
                results.Add(FigureResult.Failed(figure, error));
            }
        }

        var report = new BenchmarkReport(machine, options.Quick, DateTimeOffset.UtcNow, results);
        await output.WriteAsync(report.FormatTable()).ConfigureAwait(false);
        if (options.JsonPath is { } path)
        {
            await File.WriteAllTextAsync(path, report.ToJson(), cancellationToken).ConfigureAwait(false);
        }

        return report;
    }
}
