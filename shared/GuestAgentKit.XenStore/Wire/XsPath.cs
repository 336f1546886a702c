namespace GuestAgentKit.XenStore.Wire;

/// <summary>Xenstore path rules (docs/misc/xenstore.txt, xenstored <c>canonicalize</c>/<c>valid_chars</c>):
/// characters <c>[A-Za-z0-9-/_@]</c>, absolute at most <see cref="Limits.XenStoreAbsolutePathMax"/> bytes,
/// relative at most <see cref="Limits.XenStoreRelativePathMax"/>, no <c>//</c>, no trailing <c>/</c>
/// except the root, and <c>@</c>-paths only where special paths are allowed (watches, permissions).</summary>
public static class XsPath
{
    /// <summary>Special path watched for domains being introduced.</summary>
    public const string IntroduceDomain = "@introduceDomain";

    /// <summary>Special path watched for domains being released or dying.</summary>
    public const string ReleaseDomain = "@releaseDomain";

    /// <summary>Checks a path against the rules.</summary>
    /// <param name="path">The path.</param>
    /// <param name="allowSpecial">Whether an <c>@</c>-path is acceptable here.</param>
    /// <param name="reason">Why the path is invalid.</param>
    /// <returns>True when valid.</returns>
    public static bool IsValid(string? path, bool allowSpecial, out string? reason)
    {
        reason = null;
        if (string.IsNullOrEmpty(path))
        {
            reason = "the path is empty";
            return false;
        }

        foreach (var c in path)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '/' or '_' or '@'))
            {
                reason = $"character U+{(int)c:X4} is not allowed (only A-Z a-z 0-9 - / _ @)";
                return false;
            }
        }

        if (path[0] == '@' && !allowSpecial)
        {
            reason = "special @-paths are only allowed for watches and permissions";
            return false;
        }

        var absolute = path[0] is '/' or '@';
        var max = absolute ? Limits.XenStoreAbsolutePathMax : Limits.XenStoreRelativePathMax;
        if (path.Length > max)
        {
            reason = $"{(absolute ? "absolute" : "relative")} path of {path.Length} bytes exceeds {max}";
            return false;
        }

        if (path.Contains("//", StringComparison.Ordinal) || (path.Length > 1 && path[^1] == '/'))
        {
            reason = "the path contains '//' or ends in '/'";
            return false;
        }

        return true;
    }

    /// <summary>Throws when a caller passes an invalid path.</summary>
    /// <param name="path">The path.</param>
    /// <param name="allowSpecial">Whether an <c>@</c>-path is acceptable here.</param>
    /// <exception cref="ArgumentException">The path breaks a rule.</exception>
    public static void Validate(string path, bool allowSpecial = false)
    {
        if (!IsValid(path, allowSpecial, out var reason))
        {
            throw new ArgumentException($"Invalid xenstore path \"{Truncate(path)}\": {reason}.", nameof(path));
        }
    }

    private static string Truncate(string? path) =>
        path is null ? "" : path.Length <= 64 ? path : string.Concat(path.AsSpan(0, 64), "...");
}
