namespace GuestAgentKit.Benchmarks.Figures;

/// <summary>A figure of issue 8 whose component is not on main yet: it prints which one it needs.</summary>
/// <param name="id">The figure id.</param>
/// <param name="name">What it will measure.</param>
/// <param name="target">Its target.</param>
/// <param name="needs">The missing component.</param>
internal sealed class PendingFigure(string id, string name, string target, string needs) : Figure
{
    public override string Id => id;

    public override string Name => name;

    public override string Target => target;

    public override Task<FigureResult> RunAsync(BenchmarkContext context, CancellationToken cancellationToken) =>
        Task.FromResult(FigureResult.NotMeasured(this, needs));
}
