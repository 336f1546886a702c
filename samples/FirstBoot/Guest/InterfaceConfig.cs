namespace GuestAgentKit.Samples.FirstBoot.Guest;

/// <summary>
/// One network interface. DHCP and static addressing are exclusive per address family:
/// <see cref="Dhcp"/> excludes IPv4 addresses and <see cref="Gateway"/>, <see cref="Dhcp6"/> excludes
/// IPv6 addresses and <see cref="Gateway6"/>.
/// </summary>
public sealed record InterfaceConfig
{
    /// <summary>Kernel interface name, e.g. <c>eth0</c> or <c>enX0</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Configure IPv4 by DHCP (<c>iface NAME inet dhcp</c>).</summary>
    public bool Dhcp { get; init; }

    /// <summary>Configure IPv6 by DHCPv6 (<c>iface NAME inet6 dhcp</c>).</summary>
    public bool Dhcp6 { get; init; }

    /// <summary>Static addresses in CIDR notation, IPv4 and/or IPv6 (<c>192.0.2.10/24</c>, <c>2001:db8::10/64</c>).</summary>
    public IReadOnlyList<string>? Addresses { get; init; }

    /// <summary>IPv4 default gateway; must lie inside one of the interface's IPv4 prefixes.</summary>
    public string? Gateway { get; init; }

    /// <summary>IPv6 default gateway; must lie inside one of the interface's IPv6 prefixes or be link-local (fe80::/10).</summary>
    public string? Gateway6 { get; init; }
}
