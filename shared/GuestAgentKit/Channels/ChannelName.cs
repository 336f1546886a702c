using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace GuestAgentKit.Channels;

/// <summary>
/// The name of a Xen PV channel, as written to the xenstore <c>name</c> node and in xl's
/// <c>channel=["name=..."]</c>. Valid names are 1 to <see cref="Limits.ChannelNameMaxBytes"/> printable
/// ASCII characters (0x21..0x7E) other than <c>,</c> <c>=</c> <c>"</c>, which xl's channel syntax cannot carry.
/// The recommended form (checked separately, never enforced) is reverse DNS ending in a version:
/// <c>org.example.product.purpose.1</c>.
/// </summary>
public sealed class ChannelName : IEquatable<ChannelName>
{
    private ChannelName(string value) => Value = value;

    /// <summary>The name as text.</summary>
    public string Value { get; }

    /// <summary>Validates <paramref name="text"/> as a channel name.</summary>
    /// <param name="text">The candidate name.</param>
    /// <returns>The name.</returns>
    /// <exception cref="ChannelNameException">The name breaks a rule; the message names it.</exception>
    public static ChannelName Parse(string? text) =>
        TryParse(text, out var name, out var error) ? name : throw new ChannelNameException(error);

    /// <summary>Validates <paramref name="text"/> as a channel name without throwing.</summary>
    /// <param name="text">The candidate name.</param>
    /// <param name="name">The name when valid.</param>
    /// <param name="error">Why the name is invalid (rule, offending character and position) when not.</param>
    /// <returns>True when valid.</returns>
    public static bool TryParse(
        string? text,
        [NotNullWhen(true)] out ChannelName? name,
        [NotNullWhen(false)] out string? error)
    {
        name = null;
        error = Validate(text);
        if (error is not null)
        {
            return false;
        }

        name = new ChannelName(text!);
        return true;
    }

    private static string? Validate(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "channel name is empty";
        }

        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is ',' or '=' or '"')
            {
                return Invariant($"channel name contains '{c}' at position {i}; xl's channel syntax cannot carry ',' '=' or '\"'");
            }

            if (c is < '!' or > '~')
            {
                var kind = c switch
                {
                    ' ' => "a space",
                    < ' ' or '\x7F' => "a control character",
                    _ when char.IsWhiteSpace(c) => "a whitespace character",
                    _ => "a non-ASCII character",
                };
                return Invariant($"channel name contains {kind} (U+{(int)c:X4}) at position {i}; only printable ASCII without spaces is allowed");
            }
        }

        // Every character is ASCII here, so the character count is the byte count.
        return text.Length > Limits.ChannelNameMaxBytes
            ? Invariant($"channel name is {text.Length} bytes long; the limit is {Limits.ChannelNameMaxBytes} bytes")
            : null;
    }

    /// <summary>
    /// Whether the name follows the recommended reverse-DNS form: at least 3 dot-separated labels of
    /// lowercase letters, digits and <c>-</c>, the first starting with a letter, the last a version number.
    /// </summary>
    public bool IsReverseDns => CheckConventions() is null;

    /// <summary>Checks the recommended (not required) reverse-DNS form.</summary>
    /// <returns>Null when the name follows it; otherwise human-readable advice listing what differs.</returns>
    public string? CheckConventions()
    {
        var labels = Value.Split('.');
        var advice = new List<string>();
        if (labels.Length < 3)
        {
            advice.Add(Invariant($"it has {labels.Length} dot-separated label(s), at least 3 are recommended"));
        }

        if (labels.Any(l => l.Length == 0))
        {
            advice.Add("it has an empty label (two dots in a row, or a leading or trailing dot)");
        }

        if (labels.Any(l => l.Any(c => c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))))
        {
            advice.Add("labels should use only lowercase letters, digits and '-'");
        }

        if (labels[0].Length > 0 && labels[0][0] is not (>= 'a' and <= 'z'))
        {
            advice.Add("the first label should be a domain you own, starting with a letter (e.g. 'org')");
        }

        if (labels[^1].Length == 0 || !labels[^1].All(char.IsAsciiDigit))
        {
            advice.Add("the last label should be a version number (e.g. '.1')");
        }

        return advice.Count == 0
            ? null
            : $"'{Value}' does not follow the recommended form org.example.product.purpose.version: {string.Join("; ", advice)}";
    }

    /// <inheritdoc />
    public bool Equals(ChannelName? other) => other is not null && string.Equals(Value, other.Value, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as ChannelName);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Value);

    /// <inheritdoc />
    public override string ToString() => Value;

    /// <summary>Compares two names ordinally.</summary>
    /// <param name="left">A name.</param>
    /// <param name="right">Another name.</param>
    /// <returns>True when equal.</returns>
    public static bool operator ==(ChannelName? left, ChannelName? right) => Equals(left, right);

    /// <summary>Compares two names ordinally.</summary>
    /// <param name="left">A name.</param>
    /// <param name="right">Another name.</param>
    /// <returns>True when different.</returns>
    public static bool operator !=(ChannelName? left, ChannelName? right) => !Equals(left, right);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
