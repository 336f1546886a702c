namespace GuestAgentKit.Samples.FirstBoot.Guest;

/// <summary>
/// /etc/hosts as Debian's installer writes it: the machine's own name on <c>127.0.1.1</c> (Debian
/// reference manual §5.1.1, for hosts without a permanent address). Only that line is ours; every
/// other line is kept where it was.
/// </summary>
internal static class HostsFile
{
    private const string SelfAddress = "127.0.1.1";

    public static string Render(string? existing, string hostname, string? fqdn)
    {
        var ours = fqdn is null ? $"{SelfAddress}\t{hostname}" : $"{SelfAddress}\t{fqdn}\t{hostname}";
        var lines = TextLines.Split(existing);
        if (lines.Count == 0)
        {
            lines.Add("127.0.0.1\tlocalhost");
        }

        var at = lines.FindIndex(IsSelfLine);
        lines.RemoveAll(IsSelfLine);
        if (at < 0)
        {
            // No 127.0.1.1 line yet: put ours right after localhost, where Debian has it.
            var localhost = lines.FindLastIndex(l => FirstField(l) == "127.0.0.1");
            at = localhost < 0 ? lines.Count : localhost + 1;
        }

        lines.Insert(Math.Min(at, lines.Count), ours);
        return TextLines.Join(lines);
    }

    private static bool IsSelfLine(string line) => FirstField(line) == SelfAddress;

    private static string FirstField(string line)
    {
        var trimmed = line.TrimStart(' ', '\t');
        var end = trimmed.IndexOfAny([' ', '\t']);
        return end < 0 ? trimmed : trimmed[..end];
    }
}
