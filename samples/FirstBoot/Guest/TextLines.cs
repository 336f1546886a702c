namespace GuestAgentKit.Samples.FirstBoot.Guest;

/// <summary>Line handling for the text files first-boot merges into: '\n' separated, always newline-terminated.</summary>
internal static class TextLines
{
    /// <summary>The lines of <paramref name="text"/>, without a trailing empty line; none for null.</summary>
    public static List<string> Split(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return [];
        }

        var lines = text.Split('\n').ToList();
        if (lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        return lines;
    }

    public static string Join(IEnumerable<string> lines) => string.Concat(lines.Select(l => l + "\n"));
}
