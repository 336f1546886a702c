using System.Globalization;
using System.Text;

namespace GuestAgentKit.Channels;

/// <summary>Quoting of peer- or user-supplied text in error messages (STYLE.md: a few escaped bytes at most).</summary>
internal static class PeerText
{
    private const int MaxChars = 40;

    /// <summary>At most <paramref name="maxChars"/> (default 40) characters of <paramref name="text"/>, anything outside printable ASCII as <c>\uXXXX</c>.</summary>
    public static string Quote(string text, int maxChars = MaxChars)
    {
        var quoted = new StringBuilder();
        foreach (var c in text.Length > maxChars ? text[..maxChars] : text)
        {
            if (c is >= ' ' and < '\x7F')
            {
                quoted.Append(c);
            }
            else
            {
                quoted.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            }
        }

        return text.Length > maxChars ? quoted.Append("...").ToString() : quoted.ToString();
    }
}
