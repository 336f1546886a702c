namespace GuestAgentKit.Samples.FirstBoot.Guest;

/// <summary>
/// The bounds of the first-boot sample. They live here rather than in <c>GuestAgentKit.Limits</c>
/// because a sample shows what a plugin author writes against the public API.
/// </summary>
public static class FirstBootLimits
{
    /// <summary>RFC 1123 / RFC 1035: one DNS label.</summary>
    public const int MaxLabelLength = 63;

    /// <summary>RFC 1035: a whole name in text form.</summary>
    public const int MaxDomainNameLength = 253;

    /// <summary>Linux IFNAMSIZ (16) minus the terminating NUL.</summary>
    public const int MaxInterfaceNameLength = 15;

    /// <summary>Interfaces per config.</summary>
    public const int MaxInterfaces = 16;

    /// <summary>Static addresses per interface.</summary>
    public const int MaxAddressesPerInterface = 16;

    /// <summary>glibc MAXNS: the resolver ignores name servers beyond the third.</summary>
    public const int MaxDnsServers = 3;

    /// <summary>glibc's historical MAXDNSRCH; newer glibc takes more, older silently drops them.</summary>
    public const int MaxSearchDomains = 6;

    /// <summary>Users with managed keys per config.</summary>
    public const int MaxUsers = 16;

    /// <summary>Keys per user.</summary>
    public const int MaxKeysPerUser = 64;

    /// <summary>One authorized_keys line; a 16384-bit RSA key is about 2.8 KB.</summary>
    public const int MaxKeyLineLength = 8 * 1024;

    /// <summary>Each cloud-init document (meta-data, user-data, network-config), in UTF-8 bytes.</summary>
    public const int MaxCloudInitDocumentBytes = 256 * 1024;

    /// <summary>cloud-init instance id length.</summary>
    public const int MaxInstanceIdLength = 128;

    /// <summary>An existing file we read to merge into (/etc/passwd, /etc/hosts, authorized_keys).</summary>
    public const int MaxExistingFileBytes = 1024 * 1024;

    /// <summary>Validation errors collected before the rest are summarized in one last error.</summary>
    public const int MaxErrors = 32;

    /// <summary>Symbolic links followed while resolving one path (Linux MAXSYMLINKS).</summary>
    public const int MaxSymlinkHops = 40;
}
