namespace GuestAgentKit.Benchmarks;

/// <summary>A further value measured beside a figure, for context (no target of its own).</summary>
/// <param name="Name">What it is.</param>
/// <param name="Value">Its value (a median when repeated).</param>
/// <param name="Unit">Its unit; the figure's unit when null.</param>
public sealed record Baseline(string Name, double Value, string? Unit = null);
