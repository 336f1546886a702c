using System.Globalization;
using System.Text;
using System.Text.Json;
using GuestAgentKit.Cli;

namespace GuestAgentKit.Benchmarks;

/// <summary>One run: the machine, the mode and one row per figure.</summary>
/// <param name="Machine">Where it ran.</param>
/// <param name="Quick">Whether it was the smoke mode.</param>
/// <param name="FinishedUtc">When it ended.</param>
/// <param name="Results">One row per selected figure, in table order.</param>
public sealed record BenchmarkReport(MachineInfo Machine, bool Quick, DateTimeOffset FinishedUtc, IReadOnlyList<FigureResult> Results)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>The table, then one note line per row that has one.</summary>
    /// <returns>Printable text.</returns>
    public string FormatTable()
    {
        var table = new TextTable("ID", "Figure", "Ours", "Peer", "Ratio", "Target", "Result", "Also");
        foreach (var r in Results)
        {
            table.Add(
                r.Id,
                r.Name,
                Amount(r.Ours, r.Unit),
                r.Peer is null ? null : $"{Amount(r.Peer, r.Unit)} ({r.PeerName})",
                r.Ratio is { } ratio ? ratio.ToString("0.00", CultureInfo.InvariantCulture) : null,
                r.Target,
                r.Status switch
                {
                    FigureStatus.Pass => "pass",
                    FigureStatus.Miss => "MISS",
                    FigureStatus.Reported => "reported",
                    FigureStatus.NotMeasured => "not measured",
                    _ => "FAILED",
                },
                string.Join("; ", r.Also.Select(a => $"{a.Name}: {Amount(a.Value, a.Unit ?? r.Unit)}")));
        }

        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"GuestAgentKit benchmarks{(Quick ? " (--quick: smallest sizes)" : string.Empty)}, {FinishedUtc:yyyy-MM-dd HH:mm} UTC\n")
            .Append(CultureInfo.InvariantCulture, $"machine: {Machine}\n")
            .Append(table);
        foreach (var r in Results.Where(r => r.Note is not null))
        {
            text.Append(CultureInfo.InvariantCulture, $"{r.Id}: {r.Note}{(r.Runs > 0 ? $" (median of {r.Runs})" : string.Empty)}\n");
        }

        return text.ToString();
    }

    /// <summary>The report as indented JSON.</summary>
    /// <returns>JSON text.</returns>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    private static string? Amount(double? value, string? unit) =>
        value is { } v
            ? string.Create(CultureInfo.InvariantCulture, $"{(v >= 1000 ? v.ToString("0", CultureInfo.InvariantCulture) : v.ToString("0.#", CultureInfo.InvariantCulture))} {unit}")
            : null;
}
