using GuestAgentKit.Cli;
using GuestAgentKit.Samples.FirstBoot.Guest;

namespace GuestAgentKit.Samples.FirstBoot.Dom0;

/// <summary>How dom0 tools print a first-boot outcome.</summary>
public static class FirstBootReport
{
    /// <summary>One line per file: action and guest path.</summary>
    /// <param name="output">Where to write.</param>
    /// <param name="result">The guest's answer.</param>
    public static void WriteResult(TextWriter output, FirstBootApplyResult result)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(result);
        var table = new TextTable("ACTION", "FILE");
        foreach (var file in result.Files)
        {
            table.Add(file.Action.ToString().ToLowerInvariant(), file.Path);
        }

        output.Write(table.ToString());
        output.WriteLine(result.Changed ? "the guest changed its configuration" : "nothing to change: the guest already had this configuration");
    }

    /// <summary>Every invalid field the guest named.</summary>
    /// <param name="output">Where to write.</param>
    /// <param name="rejected">The refusal.</param>
    public static void WriteRejected(TextWriter output, FirstBootRejectedException rejected)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(rejected);
        output.WriteLine($"the guest refused the configuration (nothing was applied): {rejected.Message}");
        foreach (var error in rejected.Errors)
        {
            output.WriteLine($"  {error.Field}: {error.Message}");
        }
    }
}
