namespace GuestAgentKit.Tests.Posix;

/// <summary>
/// Tests that measure the process's CPU time while it should be idle run alone, after the parallel tests,
/// so other tests' work is not counted.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class IdleCollection
{
    public const string Name = "Idle";
}
