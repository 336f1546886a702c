namespace GuestAgentKit.Samples.FirstBoot.Guest;

/// <summary>Resolver configuration written to /etc/resolv.conf.</summary>
public sealed record DnsConfig
{
    /// <summary>Name server IP addresses (IPv4 or IPv6), in order of preference.</summary>
    public IReadOnlyList<string>? Servers { get; init; }

    /// <summary>Search domains, in order.</summary>
    public IReadOnlyList<string>? Search { get; init; }
}
