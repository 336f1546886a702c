namespace GuestAgentKit.Benchmarks;

/// <summary>The verdict of one row.</summary>
public enum FigureStatus
{
    /// <summary>Measured and the target is met.</summary>
    Pass,

    /// <summary>Measured and the target is missed.</summary>
    Miss,

    /// <summary>Measured; no target is set for it (issue 8 lists the figure without a bound).</summary>
    Reported,

    /// <summary>Not measured: a component it needs is not there yet (<see cref="FigureResult.Note"/> says which).</summary>
    NotMeasured,

    /// <summary>The measurement itself failed (<see cref="FigureResult.Note"/> says why).</summary>
    Failed,
}
