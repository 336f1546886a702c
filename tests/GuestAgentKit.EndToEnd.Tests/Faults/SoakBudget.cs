using System.Globalization;

namespace GuestAgentKit.EndToEnd.Tests.Faults;

/// <summary>
/// Sizes of the fault and load tests: the bounded sizes run in <c>tests/run.sh</c>; <c>GAK_SOAK_LONG=1</c> gives the
/// issue's sizes (50 kills, 1 000 reconnects); <c>GAK_SOAK_REPORT=FILE</c> appends each test's figures to FILE.
/// </summary>
internal static class SoakBudget
{
    public static bool Long => Environment.GetEnvironmentVariable("GAK_SOAK_LONG") is "1" or "true";

    public static int Pick(int bounded, int longRun) => Long ? longRun : bounded;

    /// <summary>Writes a test's figures to its output and, with <c>GAK_SOAK_REPORT</c>, to that file.</summary>
    public static void Report(string test, string figures)
    {
        var line = string.Create(CultureInfo.InvariantCulture, $"{test} ({(Long ? "long" : "bounded")}): {figures}");
        TestContext.Current.TestOutputHelper?.WriteLine(line);
        if (Environment.GetEnvironmentVariable("GAK_SOAK_REPORT") is { Length: > 0 } file)
        {
            File.AppendAllText(file, line + Environment.NewLine);
        }
    }
}
