namespace GuestAgentKit.Benchmarks;

/// <summary>A further peer measured beside a figure, for context (no target).</summary>
/// <param name="Name">What it is.</param>
/// <param name="Value">Its median, in the figure's unit.</param>
public sealed record Baseline(string Name, double Value);
