namespace GuestAgentKit.Samples.FirstBoot.Guest;

/// <summary>
/// Checks every field of a <see cref="FirstBootConfig"/> against the rules a Debian/Ubuntu guest and
/// its tools impose, collecting all errors (see <see cref="FirstBootValidationResult"/>). Pure: the only
/// outside input is the guest's user database, for "unknown user".
/// </summary>
public static partial class FirstBootConfigValidator
{
    /// <summary>Validates <paramref name="config"/>; users named in ssh keys must exist in <paramref name="users"/>.</summary>
    public static FirstBootValidationResult Validate(FirstBootConfig? config, PasswdDatabase users)
    {
        ArgumentNullException.ThrowIfNull(users);
        var errors = new FieldErrorCollector();
        if (config is null)
        {
            errors.Add("", "the config must be a JSON object");
            return errors.ToResult();
        }

        ValidateHostname(config, errors);
        ValidateInterfaces(config.Interfaces, errors);
        ValidateDns(config.Dns, errors);
        ValidateSshKeys(config.SshAuthorizedKeys, users, errors);
        ValidateCloudInit(config.CloudInit, errors);
        return errors.ToResult();
    }

    /// <summary>Whether <paramref name="label"/> is one RFC 1123 label: letters, digits, inner hyphens, 1..63.</summary>
    public static bool IsValidLabel(string label) =>
        label.Length is > 0 and <= FirstBootLimits.MaxLabelLength
        && label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')
        && label[0] != '-' && label[^1] != '-';

    /// <summary>Whether <paramref name="name"/> is a dotted DNS name of RFC 1123 labels, at most 253 characters.</summary>
    public static bool IsValidDomainName(string? name) =>
        !string.IsNullOrEmpty(name)
        && name.Length <= FirstBootLimits.MaxDomainNameLength
        && name.Split('.').All(IsValidLabel);

    private static void ValidateHostname(FirstBootConfig config, FieldErrorCollector errors)
    {
        var hostname = config.Hostname;
        if (string.IsNullOrEmpty(hostname))
        {
            errors.Add("hostname", "is required");
        }
        else if (hostname.Contains('.', StringComparison.Ordinal))
        {
            errors.Add("hostname", "must be a single label; put the rest of the FQDN in 'domain'");
        }
        else if (!IsValidLabel(hostname))
        {
            errors.Add("hostname", $"'{IpText.Escape(hostname)}' is not an RFC 1123 label (letters, digits, inner hyphens, 1..{FirstBootLimits.MaxLabelLength} characters)");
        }

        if (config.Domain is { } domain)
        {
            if (!IsValidDomainName(domain))
            {
                errors.Add("domain", $"'{IpText.Escape(domain)}' is not a DNS name of RFC 1123 labels (each 1..{FirstBootLimits.MaxLabelLength}, total <= {FirstBootLimits.MaxDomainNameLength})");
            }
            else if (!string.IsNullOrEmpty(hostname) && hostname.Length + 1 + domain.Length > FirstBootLimits.MaxDomainNameLength)
            {
                errors.Add("domain", $"the FQDN hostname.domain is {hostname.Length + 1 + domain.Length} characters, more than {FirstBootLimits.MaxDomainNameLength}");
            }
        }
    }

    private static void ValidateDns(DnsConfig? dns, FieldErrorCollector errors)
    {
        if (dns is null)
        {
            return;
        }

        var servers = dns.Servers ?? [];
        if (servers.Count > FirstBootLimits.MaxDnsServers)
        {
            errors.Add("dns.servers", $"has {servers.Count} entries, more than the limit of {FirstBootLimits.MaxDnsServers} (glibc MAXNS)");
        }

        for (var i = 0; i < Math.Min(servers.Count, FirstBootLimits.MaxDnsServers); i++)
        {
            if (!IpText.TryParseAddress(servers[i], out var address))
            {
                errors.Add($"dns.servers[{i}]", $"'{IpText.Escape(servers[i] ?? "null")}' is not an IPv4 dotted quad or an IPv6 address");
            }
            else if (!IpText.IsUsableHostAddress(address) && !System.Net.IPAddress.IsLoopback(address))
            {
                errors.Add($"dns.servers[{i}]", $"{address} is unspecified or multicast, not a name server address");
            }
        }

        var search = dns.Search ?? [];
        if (search.Count > FirstBootLimits.MaxSearchDomains)
        {
            errors.Add("dns.search", $"has {search.Count} entries, more than the limit of {FirstBootLimits.MaxSearchDomains}");
        }

        for (var i = 0; i < Math.Min(search.Count, FirstBootLimits.MaxSearchDomains); i++)
        {
            if (!IsValidDomainName(search[i]))
            {
                errors.Add($"dns.search[{i}]", $"'{IpText.Escape(search[i] ?? "null")}' is not a DNS name of RFC 1123 labels");
            }
        }
    }

    private static void ValidateCloudInit(CloudInitSeed? seed, FieldErrorCollector errors)
    {
        if (seed is null)
        {
            return;
        }

        if (seed.MetaData is null)
        {
            // Generated meta-data is YAML we write ourselves: keep the id to characters that need no quoting.
            if (string.IsNullOrEmpty(seed.InstanceId))
            {
                errors.Add("cloudInit.instanceId", "is required when cloudInit.metaData is not given");
            }
            else if (seed.InstanceId.Length > FirstBootLimits.MaxInstanceIdLength
                || !seed.InstanceId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
                || !char.IsAsciiLetterOrDigit(seed.InstanceId[0]))
            {
                errors.Add("cloudInit.instanceId", $"'{IpText.Escape(seed.InstanceId)}' must be 1..{FirstBootLimits.MaxInstanceIdLength} of letters, digits, '-', '_', '.', starting with a letter or digit");
            }
        }
        else if (seed.InstanceId is not null)
        {
            errors.Add("cloudInit.instanceId", "must not be given together with cloudInit.metaData (put instance-id in the meta-data)");
        }

        ValidateDocument("cloudInit.metaData", seed.MetaData, errors);
        ValidateDocument("cloudInit.userData", seed.UserData, errors);
        ValidateDocument("cloudInit.networkConfig", seed.NetworkConfig, errors);
    }

    private static void ValidateDocument(string field, string? document, FieldErrorCollector errors)
    {
        if (document is null)
        {
            return;
        }

        var bytes = System.Text.Encoding.UTF8.GetByteCount(document);
        if (bytes > FirstBootLimits.MaxCloudInitDocumentBytes)
        {
            errors.Add(field, $"is {bytes} bytes, more than the limit of {FirstBootLimits.MaxCloudInitDocumentBytes}");
        }
        else if (document.Contains('\0', StringComparison.Ordinal))
        {
            errors.Add(field, "must not contain NUL characters");
        }
    }
}
