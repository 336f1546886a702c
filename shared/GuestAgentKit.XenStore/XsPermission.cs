using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using GuestAgentKit.Xen;

namespace GuestAgentKit.XenStore;

/// <summary>One entry of a node's permission list, e.g. <c>r5</c>. In a list the FIRST entry names the
/// owner (who always has full access) and gives the access of every domain not listed.</summary>
/// <param name="Access">The access granted.</param>
/// <param name="Domain">The domain it applies to.</param>
public readonly record struct XsPermission(XsAccess Access, DomainId Domain)
{
    /// <summary>Parses <c>n0</c>, <c>r5</c>, <c>w12</c>, <c>b3</c>.</summary>
    /// <param name="text">The wire form.</param>
    /// <param name="permission">The parsed entry.</param>
    /// <returns>True when <paramref name="text"/> is a letter n/r/w/b followed by a decimal domain id.</returns>
    public static bool TryParse([NotNullWhen(true)] string? text, out XsPermission permission)
    {
        permission = default;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        XsAccess? access = text[0] switch
        {
            'n' => XsAccess.None,
            'r' => XsAccess.Read,
            'w' => XsAccess.Write,
            'b' => XsAccess.Both,
            _ => null,
        };
        if (access is null || !ushort.TryParse(text.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var domain))
        {
            return false;
        }

        permission = new XsPermission(access.Value, new DomainId(domain));
        return true;
    }

    /// <summary>Parses the wire form.</summary>
    /// <param name="text">For example <c>r5</c>.</param>
    /// <returns>The entry.</returns>
    /// <exception cref="FormatException">Not a permission.</exception>
    public static XsPermission Parse(string text) =>
        TryParse(text, out var permission) ? permission : throw new FormatException($"\"{text}\" is not a xenstore permission (n|r|w|b followed by a domain id).");

    /// <summary>Whether this entry allows reading.</summary>
    public bool CanRead => Access is XsAccess.Read or XsAccess.Both;

    /// <summary>Whether this entry allows writing.</summary>
    public bool CanWrite => Access is XsAccess.Write or XsAccess.Both;

    /// <inheritdoc />
    public override string ToString()
    {
        var letter = Access switch
        {
            XsAccess.Read => 'r',
            XsAccess.Write => 'w',
            XsAccess.Both => 'b',
            _ => 'n',
        };
        return string.Create(CultureInfo.InvariantCulture, $"{letter}{Domain.Value}");
    }
}
