using System.Globalization;

namespace GuestAgentKit.Tests.Fuzz;

/// <summary>
/// How long a fuzz test runs and with which seed. Bounded by default (a few seconds each, for
/// tests/run.sh); <c>GAK_FUZZ_LONG=1</c> switches every fuzz test to its long count (docs/reliability.md),
/// <c>GAK_FUZZ_ITERATIONS=N</c> forces N, <c>GAK_FUZZ_SEED=S</c> replays another sequence, and
/// <c>GAK_FUZZ_REPORT=FILE</c> appends each test's figures to FILE.
/// </summary>
internal static class FuzzBudget
{
    /// <summary>The seed every fuzz test starts from unless <c>GAK_FUZZ_SEED</c> says otherwise.</summary>
    public const int DefaultSeed = 20261125;

    public static int Seed => ReadInt("GAK_FUZZ_SEED") ?? DefaultSeed;

    public static bool IsLong => Environment.GetEnvironmentVariable("GAK_FUZZ_LONG") is "1" or "true";

    /// <summary>The number of cases to run: forced, long or bounded.</summary>
    public static int Cases(int bounded, int longRun) => ReadInt("GAK_FUZZ_ITERATIONS") ?? (IsLong ? longRun : bounded);

    /// <summary>A generator for one test: the seed mixed with the test's own salt, so tests do not share sequences.</summary>
    public static Random Random(int salt) => new(unchecked(Seed * 31 + salt));

    /// <summary>Publishes a test's figures to the test output and, when asked, to the report file.</summary>
    public static void Report(string test, string figures)
    {
        var line = string.Create(CultureInfo.InvariantCulture, $"{test}: seed={Seed} {figures}");
        TestContext.Current.TestOutputHelper?.WriteLine(line);
        var file = Environment.GetEnvironmentVariable("GAK_FUZZ_REPORT");
        if (!string.IsNullOrEmpty(file))
        {
            File.AppendAllLines(file, [line]);
        }
    }

    private static int? ReadInt(string name) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;
}
