using System.Text.Json.Serialization;

namespace GuestAgentKit.Benchmarks;

/// <summary>
/// One row of the table: our median, the peer's median measured in the same run, their ratio
/// (ours / peer, so higher is better: figures whose unit is "lower is better" invert it), and the verdict.
/// </summary>
public sealed record FigureResult
{
    /// <summary>The figure id.</summary>
    public required string Id { get; init; }

    /// <summary>What is measured.</summary>
    public required string Name { get; init; }

    /// <summary>The target as text.</summary>
    public required string Target { get; init; }

    /// <summary>The unit of <see cref="Ours"/> and <see cref="Peer"/>.</summary>
    public string? Unit { get; init; }

    /// <summary>Our median.</summary>
    public double? Ours { get; init; }

    /// <summary>What the peer is.</summary>
    public string? PeerName { get; init; }

    /// <summary>The peer's median.</summary>
    public double? Peer { get; init; }

    /// <summary>The least <see cref="Ratio"/> that meets the target.</summary>
    public double? MinRatio { get; init; }

    /// <summary>Timed repetitions behind each median.</summary>
    public int Runs { get; init; }

    /// <summary>Further peers, for context.</summary>
    public IReadOnlyList<Baseline> Also { get; init; } = [];

    /// <summary>Why the row is not measured or failed, or what limits it.</summary>
    public string? Note { get; init; }

    /// <summary>Set for rows that were not measured or failed; otherwise derived from the ratio.</summary>
    public FigureStatus? Outcome { get; init; }

    /// <summary>For figures judged on absolute values rather than a ratio: whether every target is met.</summary>
    public bool? TargetMet { get; init; }

    /// <summary>Ours / peer.</summary>
    public double? Ratio => Ours is { } ours && Peer is { } peer && peer > 0 ? ours / peer : null;

    /// <summary>The verdict.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<FigureStatus>))]
    public FigureStatus Status => Outcome ?? ((TargetMet ?? Ratio >= MinRatio) ? FigureStatus.Pass : FigureStatus.Miss);

    /// <summary>A row for a figure whose component is missing.</summary>
    /// <param name="figure">The figure.</param>
    /// <param name="needs">What it needs.</param>
    /// <returns>The row.</returns>
    public static FigureResult NotMeasured(Figure figure, string needs)
    {
        ArgumentNullException.ThrowIfNull(figure);
        return new() { Id = figure.Id, Name = figure.Name, Target = figure.Target, Outcome = FigureStatus.NotMeasured, Note = $"not measured: needs {needs}" };
    }

    /// <summary>A row for a figure whose measurement threw.</summary>
    /// <param name="figure">The figure.</param>
    /// <param name="error">What went wrong.</param>
    /// <returns>The row.</returns>
    public static FigureResult Failed(Figure figure, Exception error)
    {
        ArgumentNullException.ThrowIfNull(figure);
        ArgumentNullException.ThrowIfNull(error);
        return new() { Id = figure.Id, Name = figure.Name, Target = figure.Target, Outcome = FigureStatus.Failed, Note = $"failed: {error.GetType().Name}: {error.Message}" };
    }
}
