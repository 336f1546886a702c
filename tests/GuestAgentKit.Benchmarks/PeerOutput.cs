using System.Globalization;
using GuestAgentKit.Interop.Tests.RealXen;

namespace GuestAgentKit.Benchmarks;

/// <summary>Reads what the C peers print: one line "&lt;amount&gt; &lt;seconds&gt; &lt;rate&gt;".</summary>
internal static class PeerOutput
{
    /// <summary>The rate (third field) of a successful run; throws with the peer's output otherwise.</summary>
    public static double Rate(ProcessResult result, string peer)
    {
        var fields = result.StandardOutput.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (result.ExitCode != 0 || fields.Length != 3 || !double.TryParse(fields[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var rate))
        {
            throw new InvalidOperationException($"{peer} failed: {result}");
        }

        return rate;
    }
}
