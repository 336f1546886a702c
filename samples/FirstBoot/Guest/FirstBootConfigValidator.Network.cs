using System.Net.Sockets;

namespace GuestAgentKit.Samples.FirstBoot.Guest;

public static partial class FirstBootConfigValidator
{
    /// <summary>
    /// Whether <paramref name="name"/> can be a Linux interface name AND an ifupdown stanza word AND a
    /// file name under interfaces.d: the kernel's dev_valid_name rules (1..15 bytes, not "." or "..",
    /// no '/', ':' or whitespace) narrowed to letters, digits, '.', '_' and '-'.
    /// </summary>
    public static bool IsValidInterfaceName(string? name) =>
        !string.IsNullOrEmpty(name)
        && name.Length <= FirstBootLimits.MaxInterfaceNameLength
        && name is not "." and not ".."
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    private static void ValidateInterfaces(IReadOnlyList<InterfaceConfig>? interfaces, FieldErrorCollector errors)
    {
        if (interfaces is null)
        {
            return;
        }

        if (interfaces.Count > FirstBootLimits.MaxInterfaces)
        {
            errors.Add("interfaces", $"has {interfaces.Count} entries, more than the limit of {FirstBootLimits.MaxInterfaces}");
            return;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < interfaces.Count; i++)
        {
            var path = $"interfaces[{i}]";
            if (interfaces[i] is not { } nic)
            {
                errors.Add(path, "must be an object");
                continue;
            }

            if (!IsValidInterfaceName(nic.Name))
            {
                errors.Add($"{path}.name", $"'{IpText.Escape(nic.Name ?? "null")}' is not a valid interface name (1..{FirstBootLimits.MaxInterfaceNameLength} of letters, digits, '.', '_', '-'; Linux IFNAMSIZ)");
            }
            else if (!seen.Add(nic.Name))
            {
                errors.Add($"{path}.name", $"interface '{nic.Name}' is listed twice");
            }

            var before = errors.Count;
            var prefixes = ValidateAddresses(path, nic, errors);
            if (errors.Count != before)
            {
                continue; // a gateway cannot be checked against addresses that did not parse
            }

            ValidateGateway($"{path}.gateway", nic.Gateway, AddressFamily.InterNetwork, nic.Dhcp, prefixes, errors);
            ValidateGateway($"{path}.gateway6", nic.Gateway6, AddressFamily.InterNetworkV6, nic.Dhcp6, prefixes, errors);
        }
    }

    private static List<IpPrefix> ValidateAddresses(string path, InterfaceConfig nic, FieldErrorCollector errors)
    {
        var prefixes = new List<IpPrefix>();
        var addresses = nic.Addresses ?? [];
        if (addresses.Count > FirstBootLimits.MaxAddressesPerInterface)
        {
            errors.Add($"{path}.addresses", $"has {addresses.Count} entries, more than the limit of {FirstBootLimits.MaxAddressesPerInterface}");
            return prefixes;
        }

        if (addresses.Count == 0 && !nic.Dhcp && !nic.Dhcp6)
        {
            errors.Add($"{path}.addresses", "an interface needs dhcp, dhcp6 or at least one static address");
        }

        for (var j = 0; j < addresses.Count; j++)
        {
            var field = $"{path}.addresses[{j}]";
            if (!IpText.TryParsePrefix(addresses[j], out var prefix, out var error))
            {
                errors.Add(field, error);
                continue;
            }

            if (prefixes.Any(p => p.Address.Equals(prefix.Address)))
            {
                errors.Add(field, $"address {prefix.Address} is listed twice");
            }
            else if (prefix.Address.AddressFamily == AddressFamily.InterNetwork && nic.Dhcp)
            {
                errors.Add(field, "static IPv4 address given while dhcp is true: DHCP and static IPv4 are mutually exclusive");
            }
            else if (prefix.Address.AddressFamily == AddressFamily.InterNetworkV6 && nic.Dhcp6)
            {
                errors.Add(field, "static IPv6 address given while dhcp6 is true: DHCPv6 and static IPv6 are mutually exclusive");
            }

            prefixes.Add(prefix);
        }

        return prefixes;
    }

    private static void ValidateGateway(string field, string? gateway, AddressFamily family, bool dhcp, List<IpPrefix> prefixes, FieldErrorCollector errors)
    {
        if (gateway is null)
        {
            return;
        }

        var familyName = family == AddressFamily.InterNetwork ? "IPv4" : "IPv6";
        if (!IpText.TryParseAddress(gateway, out var address) || address.AddressFamily != family)
        {
            errors.Add(field, $"'{IpText.Escape(gateway)}' is not an {familyName} address");
        }
        else if (dhcp)
        {
            errors.Add(field, $"a static {familyName} gateway cannot be combined with {(family == AddressFamily.InterNetwork ? "dhcp" : "dhcp6")}");
        }
        else if (prefixes.Any(p => p.Address.Equals(address)))
        {
            errors.Add(field, $"{address} is one of the interface's own addresses");
        }
        else if (!prefixes.Any(p => p.Contains(address)) && !(family == AddressFamily.InterNetworkV6 && address.IsIPv6LinkLocal))
        {
            // The kernel refuses a gateway it cannot reach on-link ("Nexthop has invalid gateway"):
            // catch it here, where the error can still name the field.
            errors.Add(field, $"{address} is not inside any {familyName} prefix of this interface ({string.Join(", ", prefixes.Where(p => p.Address.AddressFamily == family))})");
        }
    }
}
