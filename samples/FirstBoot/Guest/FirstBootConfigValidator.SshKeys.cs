namespace GuestAgentKit.Samples.FirstBoot.Guest;

public static partial class FirstBootConfigValidator
{
    private static void ValidateSshKeys(IReadOnlyList<UserAuthorizedKeys>? entries, PasswdDatabase users, FieldErrorCollector errors)
    {
        if (entries is null)
        {
            return;
        }

        if (entries.Count > FirstBootLimits.MaxUsers)
        {
            errors.Add("sshAuthorizedKeys", $"has {entries.Count} users, more than the limit of {FirstBootLimits.MaxUsers}");
            return;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < entries.Count; i++)
        {
            var path = $"sshAuthorizedKeys[{i}]";
            if (entries[i] is not { } entry)
            {
                errors.Add(path, "must be an object");
                continue;
            }

            if (string.IsNullOrEmpty(entry.User))
            {
                errors.Add($"{path}.user", "is required");
            }
            else if (!users.TryGetUser(entry.User, out _))
            {
                errors.Add($"{path}.user", $"unknown user '{IpText.Escape(entry.User)}' (not in /etc/passwd)");
            }
            else if (!seen.Add(entry.User))
            {
                errors.Add($"{path}.user", $"user '{entry.User}' is listed twice");
            }

            var keys = entry.Keys ?? [];
            if (keys.Count > FirstBootLimits.MaxKeysPerUser)
            {
                errors.Add($"{path}.keys", $"has {keys.Count} keys, more than the limit of {FirstBootLimits.MaxKeysPerUser}");
                continue;
            }

            for (var j = 0; j < keys.Count; j++)
            {
                if (!SshPublicKey.TryParse(keys[j], out _, out var error))
                {
                    errors.Add($"{path}.keys[{j}]", error);
                }
            }
        }
    }
}
