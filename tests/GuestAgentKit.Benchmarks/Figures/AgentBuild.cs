namespace GuestAgentKit.Benchmarks.Figures;

/// <summary>How to start one build of an agent program: the executable and the arguments before the command.</summary>
/// <param name="Description">Where the build came from, for the report.</param>
/// <param name="FileName">The executable.</param>
/// <param name="Prefix">Arguments before the program's own (the dll for <c>dotnet</c>).</param>
internal sealed record AgentBuild(string Description, string FileName, IReadOnlyList<string> Prefix)
{
    /// <summary>gak-agent as built with the harness (its dll sits next to ours), run with <c>dotnet</c>.</summary>
    public static AgentBuild FrameworkDependent { get; } = Dll("gak-agent", "framework-dependent gak-agent.dll run with dotnet");

    /// <summary>The first-boot sample's program (its dll sits next to ours), run with <c>dotnet</c>.</summary>
    public static AgentBuild FirstBootSample { get; } = Dll("FirstBoot", "the FirstBoot sample's agent (framework-dependent, run with dotnet)");

    /// <summary>A native executable.</summary>
    public static AgentBuild Native(string path, string description) => new(description, path, []);

    private static AgentBuild Dll(string assembly, string description) =>
        new(description, "dotnet", [Path.Combine(AppContext.BaseDirectory, assembly + ".dll")]);
}
