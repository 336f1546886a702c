using System.Globalization;

namespace GuestAgentKit.Benchmarks;

/// <summary>What every figure gets: the options, the native peers, the progress log, and the repetition loop.</summary>
public sealed class BenchmarkContext
{
    internal BenchmarkContext(BenchmarkOptions options, TextWriter log)
    {
        Options = options;
        Log = log;
        NativeAotAgent = new NativeAotAgent(log);
    }

    /// <summary>The run's options.</summary>
    public BenchmarkOptions Options { get; }

    /// <summary>True in the smoke mode: figures use their smallest sizes.</summary>
    public bool Quick => Options.Quick;

    /// <summary>Progress lines (stderr for the command line).</summary>
    public TextWriter Log { get; }

    /// <summary>The C peers of tests/native/bench, compiled on first use.</summary>
    internal NativePeers Peers { get; } = new();

    /// <summary>gak-agent published as NativeAOT from this tree (B4).</summary>
    internal NativeAotAgent NativeAotAgent { get; }

    /// <summary>
    /// Runs <paramref name="measure"/> once untimed (JIT, page cache, daemon warm-up), then
    /// <see cref="BenchmarkOptions.Repetitions"/> times, and returns the median.
    /// </summary>
    /// <param name="what">Names the measurement in the log.</param>
    /// <param name="measure">One timed run returning its value.</param>
    /// <returns>The median of the timed runs.</returns>
    public async Task<double> MedianAsync(string what, Func<Task<double>> measure)
    {
        ArgumentNullException.ThrowIfNull(measure);
        var warmUp = await measure().ConfigureAwait(false);
        var values = new List<double>(Options.Repetitions);
        for (var i = 0; i < Options.Repetitions; i++)
        {
            values.Add(await measure().ConfigureAwait(false));
        }

        var median = Median(values);
        Log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {what}: median {median:0.#} of [{string.Join(", ", values.Select(v => v.ToString("0.#", CultureInfo.InvariantCulture)))}] (warm-up {warmUp:0.#})"));
        return median;
    }

    /// <summary>The median (mean of the middle two for an even count).</summary>
    /// <param name="values">At least one value.</param>
    /// <returns>The median.</returns>
    public static double Median(IReadOnlyCollection<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfZero(values.Count);
        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
