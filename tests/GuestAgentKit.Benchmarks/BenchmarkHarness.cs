using GuestAgentKit.Benchmarks.Figures;
using GuestAgentKit.Channels.Xl;

namespace GuestAgentKit.Benchmarks;

/// <summary>Runs the selected figures in table order, prints one table and writes the JSON report.</summary>
public static class BenchmarkHarness
{
    /// <summary>Every figure of issue 8, in table order (B3 at 1, 100, 1000 domains; 1 and 10 in the quick mode).</summary>
    /// <param name="quick">The smoke mode.</param>
    /// <returns>The figures.</returns>
    public static IReadOnlyList<Figure> AllFigures(bool quick)
    {
        var agent = new AgentMeasurement(); // B2 and B4 come from one agent session
        return
        [
            new RingThroughputFigure(),
            new BackendThroughputFigure(ChannelConnection.Socket),
            new BackendThroughputFigure(ChannelConnection.Pty),
            new PingLatencyFigure(agent),
            .. (quick ? new[] { 1, 10 } : [1, 100, 1000]).Select(n => new ScaleFigure(n)),
            new AgentFootprintFigure(agent),
            new FirstBootFigure(),
            new XenStoreFigure(XenStoreOperation.Read),
            new XenStoreFigure(XenStoreOperation.Write),
        ];
    }

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
