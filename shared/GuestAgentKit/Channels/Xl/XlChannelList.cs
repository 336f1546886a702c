using System.Text;

namespace GuestAgentKit.Channels.Xl;

/// <summary>
/// The channel list of one domain: xl's <c>channel = [ "...", "..." ]</c> setting, alone or inside a whole
/// xl config file. Names must be unique within a domain (the guest finds its channel by name).
/// </summary>
public static class XlChannelList
{
    /// <summary>Parses the entries of a channel list (the strings inside the brackets, without quotes).</summary>
    /// <param name="entries">The entries in list order; entry i gets index i in errors.</param>
    /// <returns>The specs, in list order.</returns>
    /// <exception cref="XlChannelSpecException">An entry is invalid or two entries share a name.</exception>
    public static IReadOnlyList<XlChannelSpec> Parse(IEnumerable<string> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var specs = new List<XlChannelSpec>();
        var firstIndexByName = new Dictionary<ChannelName, int>();
        foreach (var entry in entries)
        {
            var index = specs.Count;
            var spec = XlChannelSpec.Parse(entry, index);
            if (!firstIndexByName.TryAdd(spec.Name, index))
            {
                throw new XlChannelSpecException(
                    index,
                    $"channel {index} has the same name '{spec.Name}' as channel {firstIndexByName[spec.Name]}; names must be unique within a domain");
            }

            specs.Add(spec);
        }

        return specs;
    }

    /// <summary>
    /// Extracts and parses the <c>channel</c> setting from the text of an xl config file (xl.cfg(5)
    /// syntax: <c>key = value</c> settings separated by newlines or <c>;</c>, <c>#</c> comments, strings
    /// in <c>"..."</c> or <c>'...'</c>, lists in <c>[...]</c> that may span lines and end with a comma).
    /// </summary>
    /// <param name="configText">The whole config file, or just the channel line.</param>
    /// <returns>The specs in list order; empty when the file has no channel setting.</returns>
    /// <exception cref="XlChannelSpecException">The file's syntax or a channel entry is invalid.</exception>
    public static IReadOnlyList<XlChannelSpec> ParseConfig(string configText)
    {
        ArgumentNullException.ThrowIfNull(configText);
        var tokens = XlConfigTokenizer.Tokenize(configText);
        IReadOnlyList<XlChannelSpec>? result = null;
        for (var i = 0; i + 1 < tokens.Count; i++)
        {
            var atStatementStart = i == 0 || tokens[i - 1].Kind == XlConfigTokenKind.Separator;
            if (!atStatementStart || tokens[i] is not { Kind: XlConfigTokenKind.Word, Text: "channel" }
                || tokens[i + 1].Kind != XlConfigTokenKind.Equals)
            {
                continue;
            }

            if (result is not null)
            {
                throw new XlChannelSpecException($"line {tokens[i].Line}: 'channel' is set twice");
            }

            result = Parse(ReadStringList(tokens, i + 2, tokens[i].Line));
        }

        return result ?? [];
    }

    private static List<string> ReadStringList(IReadOnlyList<XlConfigToken> tokens, int start, int line)
    {
        var position = start;
        XlConfigToken Next()
        {
            // Newlines inside a list are layout only.
            while (position < tokens.Count && tokens[position] is { Kind: XlConfigTokenKind.Separator, Text: "\n" })
            {
                position++;
            }

            return position < tokens.Count
                ? tokens[position++]
                : throw new XlChannelSpecException($"line {line}: the channel list is not closed with ']'");
        }

        if (Next().Kind != XlConfigTokenKind.OpenBracket)
        {
            throw new XlChannelSpecException($"line {line}: channel must be a list: channel = [ \"...\", ... ]");
        }

        var entries = new List<string>();
        while (true)
        {
            var token = Next();
            if (token.Kind == XlConfigTokenKind.CloseBracket)
            {
                return entries;
            }

            if (token.Kind != XlConfigTokenKind.String)
            {
                throw new XlChannelSpecException($"line {token.Line}: expected a quoted channel entry or ']', found '{PeerText.Quote(token.Text)}'");
            }

            entries.Add(token.Text);
            token = Next();
            if (token.Kind == XlConfigTokenKind.CloseBracket)
            {
                return entries;
            }

            if (token.Kind != XlConfigTokenKind.Comma)
            {
                throw new XlChannelSpecException($"line {token.Line}: expected ',' or ']' after a channel entry, found '{PeerText.Quote(token.Text)}'");
            }
        }
    }

    /// <summary>Formats a whole config line, e.g. <c>channel = [ "connection=pty, name=org.example.a.1" ]</c>.</summary>
    /// <param name="specs">The channels in list order.</param>
    /// <returns>The line, without a newline; <see cref="ParseConfig"/> turns it back into equal specs.</returns>
    public static string FormatConfigLine(IEnumerable<XlChannelSpec> specs)
    {
        ArgumentNullException.ThrowIfNull(specs);
        var line = new StringBuilder("channel = [ ");
        line.AppendJoin(", ", specs.Select(s => "\"" + s.Format() + "\""));
        return line.Append(" ]").ToString();
    }
}
