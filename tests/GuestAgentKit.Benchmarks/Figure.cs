namespace GuestAgentKit.Benchmarks;

/// <summary>One figure of issue 8: an id, what it measures, its target, and how to measure it.</summary>
public abstract class Figure
{
    /// <summary>The id in the table (<c>B1</c>, <c>B5r</c>, ...).</summary>
    public abstract string Id { get; }

    /// <summary>What is measured, with its unit.</summary>
    public abstract string Name { get; }

    /// <summary>The target as text (e.g. <c>&gt;= 0.8 x the raw limit</c>).</summary>
    public abstract string Target { get; }

    /// <summary>Measures the figure and its peer in this run.</summary>
    /// <param name="context">Sizes, repetitions, the native peers and the progress log.</param>
    /// <param name="cancellationToken">Stops the run.</param>
    /// <returns>The row of the table.</returns>
    public abstract Task<FigureResult> RunAsync(BenchmarkContext context, CancellationToken cancellationToken);
}
