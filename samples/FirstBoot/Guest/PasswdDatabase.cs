using System.Globalization;

namespace GuestAgentKit.Samples.FirstBoot.Guest;

/// <summary>
/// The users of a guest root, parsed from its /etc/passwd (<c>name:password:uid:gid:gecos:home:shell</c>,
/// passwd(5)). Lines that do not parse (comments, NIS <c>+</c> entries, bad numbers, relative homes) are
/// skipped: such users are simply "unknown" to first-boot.
/// </summary>
public sealed class PasswdDatabase
{
    private readonly Dictionary<string, PasswdEntry> _users;

    private PasswdDatabase(Dictionary<string, PasswdEntry> users) => _users = users;

    /// <summary>A database with no users.</summary>
    public static PasswdDatabase Empty { get; } = new([]);

    /// <summary>Parses passwd text; the first line for a name wins, as getpwnam does.</summary>
    public static PasswdDatabase Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var users = new Dictionary<string, PasswdEntry>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            var fields = line.TrimEnd('\r').Split(':');
            if (fields.Length != 7
                || fields[0].Length == 0
                || !int.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var uid)
                || !int.TryParse(fields[3], NumberStyles.None, CultureInfo.InvariantCulture, out var gid)
                || !fields[5].StartsWith('/'))
            {
                continue;
            }

            users.TryAdd(fields[0], new PasswdEntry(fields[0], uid, gid, fields[5]));
        }

        return new PasswdDatabase(users);
    }

    /// <summary>Looks a user up by login name.</summary>
    public bool TryGetUser(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out PasswdEntry? entry) =>
        _users.TryGetValue(name, out entry);
}
