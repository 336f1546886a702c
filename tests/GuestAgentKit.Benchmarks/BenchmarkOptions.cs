namespace GuestAgentKit.Benchmarks;

/// <summary>What one run of the harness measures and where it writes the report.</summary>
public sealed record BenchmarkOptions
{
    /// <summary>
    /// The smoke mode: the smallest sizes and three repetitions, under a minute. Figures keep their
    /// targets, but small runs are dominated by start-up costs, so their verdicts mean little.
    /// </summary>
    public bool Quick { get; init; }

    /// <summary>Figure id prefixes to run (<c>B1</c> selects B1 and B1b), or null for all.</summary>
    public IReadOnlyList<string>? Only { get; init; }

    /// <summary>Where to write the report as JSON, or null.</summary>
    public string? JsonPath { get; init; }

    /// <summary>Timed repetitions per measurement; the median is reported.</summary>
    public int Repetitions => Quick ? 3 : 5;

    /// <summary>The command-line usage.</summary>
    public static string Usage =>
        "usage: dotnet run -c Release --project tests/GuestAgentKit.Benchmarks -- [--quick] [--only B1,B5] [--json out.json]";

    /// <summary>Parses the command line.</summary>
    /// <param name="arguments">The arguments after <c>--</c>.</param>
    /// <returns>The options.</returns>
    /// <exception cref="ArgumentException">An unknown or incomplete argument (the message says which).</exception>
    public static BenchmarkOptions Parse(IReadOnlyList<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var options = new BenchmarkOptions();
        for (var i = 0; i < arguments.Count; i++)
        {
            options = arguments[i] switch
            {
                "--quick" => options with { Quick = true },
                "--only" => options with { Only = [.. Value(arguments, ref i).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)] },
                "--json" => options with { JsonPath = Value(arguments, ref i) },
                var other => throw new ArgumentException($"unknown argument '{other}'\n{Usage}"),
            };
        }

        return options;
    }

    /// <summary>True when <paramref name="figureId"/> is selected by <see cref="Only"/>.</summary>
    /// <param name="figureId">A figure id such as <c>B5r</c>.</param>
    /// <returns>Whether to run it.</returns>
    public bool Selects(string figureId) =>
        Only is null || Only.Any(prefix => figureId.StartsWith(prefix, StringComparison.OrdinalIgnoreCase));

    private static string Value(IReadOnlyList<string> arguments, ref int i) =>
        ++i < arguments.Count ? arguments[i] : throw new ArgumentException($"{arguments[i - 1]} needs a value\n{Usage}");
}
