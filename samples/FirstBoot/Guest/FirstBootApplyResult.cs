namespace GuestAgentKit.Samples.FirstBoot.Guest;

/// <summary>The outcome of a successful apply: every managed file, in apply order.</summary>
/// <param name="Files">Each file with its action; a second identical apply reports all unchanged.</param>
public sealed record FirstBootApplyResult(IReadOnlyList<FileChange> Files)
{
    /// <summary>True when at least one file was created or updated.</summary>
    public bool Changed => Files.Any(f => f.Action != FileChangeAction.Unchanged);
}
