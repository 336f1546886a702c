namespace GuestAgentKit.Samples.FirstBoot.Guest;

/// <summary>
/// What dom0 sends with <c>config.apply</c>: the identity of a VM cloned from a template.
/// Every section except <see cref="Hostname"/> is optional; an absent section leaves its files alone.
/// </summary>
public sealed record FirstBootConfig
{
    /// <summary>The host name: ONE RFC 1123 label (written to /etc/hostname).</summary>
    public required string Hostname { get; init; }

    /// <summary>Optional DNS domain; the FQDN is <c>hostname.domain</c> (used in /etc/hosts).</summary>
    public string? Domain { get; init; }

    /// <summary>Per-interface network configuration (ifupdown files under /etc/network/interfaces.d).</summary>
    public IReadOnlyList<InterfaceConfig>? Interfaces { get; init; }

    /// <summary>Resolver configuration (/etc/resolv.conf).</summary>
    public DnsConfig? Dns { get; init; }

    /// <summary>SSH public keys per local user (a managed block in ~user/.ssh/authorized_keys).</summary>
    public IReadOnlyList<UserAuthorizedKeys>? SshAuthorizedKeys { get; init; }

    /// <summary>A cloud-init NoCloud seed, for images that run cloud-init.</summary>
    public CloudInitSeed? CloudInit { get; init; }
}
