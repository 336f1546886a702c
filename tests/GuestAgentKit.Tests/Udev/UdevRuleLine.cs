using System.Text.RegularExpressions;

namespace GuestAgentKit.Tests.Udev;

/// <summary>
/// One rule line in udev's syntax (udev(7), systemd 252 <c>src/udev/udev-rules.c</c>): comma-separated
/// <c>KEY[{attr}]OP"value"</c> with OP one of <c>== != = += -= :=</c>.
/// </summary>
internal sealed partial record UdevRuleLine(int Number, IReadOnlyList<UdevRuleLine.Pair> Pairs)
{
    private static readonly HashSet<string> MatchOnly =
        ["ACTION", "DEVPATH", "KERNEL", "KERNELS", "SUBSYSTEM", "SUBSYSTEMS", "DRIVER", "DRIVERS", "ATTRS", "TAGS", "TEST", "PROGRAM", "RESULT", "CONST"];

    private static readonly HashSet<string> AssignOnly = ["OWNER", "GROUP", "MODE", "SECLABEL", "RUN", "LABEL", "GOTO", "OPTIONS", "IMPORT"];

    private static readonly HashSet<string> Both = ["ENV", "ATTR", "SYSCTL", "NAME", "SYMLINK", "TAG"];

    private static readonly HashSet<string> NeedAttribute = ["ENV", "ATTR", "ATTRS", "SYSCTL", "IMPORT", "SECLABEL", "CONST"];

    /// <summary>Parses every rule line of a file; throws <see cref="FormatException"/> naming the line on anything udev would reject.</summary>
    public static IReadOnlyList<UdevRuleLine> ParseFile(IReadOnlyList<string> lines)
    {
        var rules = new List<UdevRuleLine>();
        for (var i = 0; i < lines.Count; i++)
        {
            var text = lines[i].Trim();
            if (text.Length == 0 || text.StartsWith('#'))
            {
                continue;
            }

            rules.Add(Parse(i + 1, text));
        }

        return rules;
    }

    public bool Has(string key, string op, string value, string? attribute = null) =>
        Pairs.Any(p => p.Key == key && p.Operator == op && p.Value == value && p.Attribute == attribute);

    private static UdevRuleLine Parse(int number, string text)
    {
        var pairs = new List<Pair>();
        var position = 0;
        while (position < text.Length)
        {
            var match = PairPattern().Match(text, position);
            if (!match.Success || match.Index != position)
            {
                throw new FormatException($"line {number}: not KEY[{{attr}}]OP\"value\" at column {position + 1}: {text[position..]}");
            }

            var pair = new Pair(match.Groups["key"].Value, match.Groups["attr"].Success ? match.Groups["attr"].Value : null, match.Groups["op"].Value, match.Groups["value"].Value);
            Check(number, pair);
            pairs.Add(pair);
            position += match.Length;
        }

        return new UdevRuleLine(number, pairs);
    }

    private static void Check(int number, Pair pair)
    {
        var isMatch = pair.Operator is "==" or "!=";
        if (!MatchOnly.Contains(pair.Key) && !AssignOnly.Contains(pair.Key) && !Both.Contains(pair.Key))
        {
            throw new FormatException($"line {number}: unknown key {pair.Key}");
        }

        if ((MatchOnly.Contains(pair.Key) && !isMatch) || (AssignOnly.Contains(pair.Key) && isMatch))
        {
            throw new FormatException($"line {number}: operator {pair.Operator} not allowed for {pair.Key}");
        }

        if (NeedAttribute.Contains(pair.Key) != (pair.Attribute is not null))
        {
            throw new FormatException($"line {number}: {pair.Key} {(pair.Attribute is null ? "needs" : "takes no")} {{attribute}}");
        }
    }

    [GeneratedRegex("""\G\s*(?<key>[A-Z_]+)(\{(?<attr>[^{}"]+)\})?(?<op>==|!=|\+=|-=|:=|=)"(?<value>[^"]*)"\s*(,\s*(?=\S)|$)""")]
    private static partial Regex PairPattern();

    public sealed record Pair(string Key, string? Attribute, string Operator, string Value);
}
