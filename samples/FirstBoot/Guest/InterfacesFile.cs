using System.Net.Sockets;
using System.Text;

namespace GuestAgentKit.Samples.FirstBoot.Guest;

/// <summary>
/// One interface's ifupdown file for /etc/network/interfaces.d (interfaces(5)); Debian's
/// /etc/network/interfaces sources that directory. Several <c>iface</c> stanzas for one interface and
/// family are allowed and all applied, so every static address gets its own stanza; the gateway goes
/// into the stanza of the first address whose prefix holds it.
/// </summary>
internal static class InterfacesFile
{
    public const string Header = "# Written by GuestAgentKit first-boot (config.apply); replaced on every apply.";

    public static string Render(InterfaceConfig nic)
    {
        var text = new StringBuilder();
        text.Append(Header).Append('\n');
        text.Append("auto ").Append(nic.Name).Append('\n');
        var prefixes = (nic.Addresses ?? []).Select(a => IpText.TryParsePrefix(a, out var p, out _) ? p : throw new ArgumentException("unvalidated config", nameof(nic))).ToList();

        if (nic.Dhcp)
        {
            Stanza(text, nic.Name, "inet", "dhcp");
        }

        RenderStatic(text, nic.Name, "inet", prefixes.Where(p => p.Address.AddressFamily == AddressFamily.InterNetwork).ToList(), nic.Gateway);

        if (nic.Dhcp6)
        {
            Stanza(text, nic.Name, "inet6", "dhcp");
        }

        RenderStatic(text, nic.Name, "inet6", prefixes.Where(p => p.Address.AddressFamily == AddressFamily.InterNetworkV6).ToList(), nic.Gateway6);
        return text.ToString();
    }

    private static void RenderStatic(StringBuilder text, string name, string family, List<IpPrefix> prefixes, string? gateway)
    {
        var gatewayAddress = gateway is not null && IpText.TryParseAddress(gateway, out var g) ? g : null;
        var gatewayIndex = gatewayAddress is null ? -1 : Math.Max(0, prefixes.FindIndex(p => p.Contains(gatewayAddress)));
        for (var i = 0; i < prefixes.Count; i++)
        {
            Stanza(text, name, family, "static");
            text.Append("    address ").Append(prefixes[i]).Append('\n');
            if (i == gatewayIndex)
            {
                text.Append("    gateway ").Append(gatewayAddress).Append('\n');
            }
        }
    }

    private static void Stanza(StringBuilder text, string name, string family, string method) =>
        text.Append('\n').Append("iface ").Append(name).Append(' ').Append(family).Append(' ').Append(method).Append('\n');
}
