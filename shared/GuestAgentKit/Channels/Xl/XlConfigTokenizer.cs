using System.Text;

namespace GuestAgentKit.Channels.Xl;

/// <summary>
/// Splits xl config text into tokens (libxlu's syntax): <c>#</c> comments to end of line, strings in
/// double or single quotes with C-style backslash escapes, words, and punctuation.
/// </summary>
internal static class XlConfigTokenizer
{
    public static List<XlConfigToken> Tokenize(string text)
    {
        var tokens = new List<XlConfigToken>();
        var line = 1;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            switch (c)
            {
                case '\n':
                    tokens.Add(new(XlConfigTokenKind.Separator, "\n", line));
                    line++;
                    i++;
                    break;
                case ';':
                    tokens.Add(new(XlConfigTokenKind.Separator, ";", line));
                    i++;
                    break;
                case ' ' or '\t' or '\r':
                    i++;
                    break;
                case '#':
                    while (i < text.Length && text[i] != '\n')
                    {
                        i++;
                    }

                    break;
                case '"' or '\'':
                    tokens.Add(ReadString(text, ref i, line));
                    break;
                case '=':
                    tokens.Add(new(XlConfigTokenKind.Equals, "=", line));
                    i++;
                    break;
                case '[':
                    tokens.Add(new(XlConfigTokenKind.OpenBracket, "[", line));
                    i++;
                    break;
                case ']':
                    tokens.Add(new(XlConfigTokenKind.CloseBracket, "]", line));
                    i++;
                    break;
                case ',':
                    tokens.Add(new(XlConfigTokenKind.Comma, ",", line));
                    i++;
                    break;
                default:
                    if (IsWordChar(c))
                    {
                        var start = i;
                        while (i < text.Length && IsWordChar(text[i]))
                        {
                            i++;
                        }

                        tokens.Add(new(XlConfigTokenKind.Word, text[start..i], line));
                    }
                    else
                    {
                        tokens.Add(new(XlConfigTokenKind.Other, c.ToString(), line));
                        i++;
                    }

                    break;
            }
        }

        return tokens;
    }

    private static bool IsWordChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' or '+';

    private static XlConfigToken ReadString(string text, ref int i, int line)
    {
        var quote = text[i];
        
        var value = new StringBuilder();
        i++;
        while (i < text.Length && text[i] != quote)
        {
            var c = text[i++];
            if (c == '\n')
            {
                throw new XlChannelSpecException($"line {line}: string is not closed before the end of the line");
            }

            if (c == '\\' && i < text.Length)
            {
                c = text[i++] switch
                {
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    var escaped => escaped,
                };
            }

            value.Append(c);
        }

        if (i >= text.Length)
        {
            throw new XlChannelSpecException($"line {line}: string is not closed before the end of the file");
        }

        i++;
        return new(XlConfigTokenKind.String, value.ToString(), line);
    }
}
