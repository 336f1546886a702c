using System.Text;

namespace GuestAgentKit.Cli;

/// <summary>Left-aligned, space-padded columns, as <c>xl</c> prints its lists.</summary>
public sealed class TextTable
{
    private readonly string[] _headers;
    private readonly List<string[]> _rows = [];

    /// <summary>Creates a table with the given column headers.</summary>
    /// <param name="headers">Column headers.</param>
    public TextTable(params string[] headers)
    {
        _headers = headers;
    }

    /// <summary>Adds a row; missing cells print empty.</summary>
    /// <param name="cells">One value per column.</param>
    public void Add(params string?[] cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        _rows.Add([.. Enumerable.Range(0, _headers.Length).Select(i => i < cells.Length ? cells[i] ?? string.Empty : string.Empty)]);
    }

    /// <inheritdoc />
    public override string ToString()
    {
        var widths = _headers.Select((h, i) => _rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        var text = new StringBuilder();
        foreach (var row in _rows.Prepend(_headers))
        {
            text.AppendJoin(' ', row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i]))).Append('\n');
        }

        return text.ToString();
    }
}
