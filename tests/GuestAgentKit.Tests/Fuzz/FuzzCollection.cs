namespace GuestAgentKit.Tests.Fuzz;

/// <summary>
/// Fuzz tests run alone, after the parallel tests: they measure process CPU time and managed
/// memory, which other tests running at the same time would disturb.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FuzzCollection
{
    public const string Name = "Fuzz";
}
