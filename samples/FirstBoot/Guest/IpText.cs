using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace GuestAgentKit.Samples.FirstBoot.Guest;

/// <summary>
/// Strict IP address and CIDR parsing. <see cref="IPAddress.TryParse(string?, out IPAddress?)"/> alone
/// accepts inet_aton forms (<c>10.1</c>, <c>0x7f.1</c>) and scoped IPv6 (<c>fe80::1%eth0</c>) that
/// ifupdown and resolv.conf would read differently, so only dotted quads and plain IPv6 text pass.
/// </summary>
internal static class IpText
{
    public static bool TryParseAddress(string? text, [NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        if (string.IsNullOrEmpty(text) || text.Length > 45 || text.Contains('%'))
        {
            return false;
        }

        if (text.Contains(':'))
        {
            return IPAddress.TryParse(text, out address) && address.AddressFamily == AddressFamily.InterNetworkV6;
        }

        var octets = text.Split('.');
        if (octets.Length != 4 || octets.Any(o => o.Length is 0 or > 3 || !o.All(char.IsAsciiDigit)
            || int.Parse(o, NumberStyles.None, CultureInfo.InvariantCulture) > 255))
        {
            return false;
        }

        return IPAddress.TryParse(text, out address);
    }

    /// <summary>Parses <c>address/prefix</c>; the address must be usable as an interface address.</summary>
    public static bool TryParsePrefix(string? text, out IpPrefix prefix, [NotNullWhen(false)] out string? error)
    {
        prefix = default;
        var slash = text?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        if (text is null || slash < 0)
        {
            error = "must be an address in CIDR notation, e.g. 192.0.2.10/24 or 2001:db8::10/64";
            return false;
        }

        if (!TryParseAddress(text[..slash], out var address))
        {
            error = $"'{Escape(text[..slash])}' is not an IPv4 dotted quad or an IPv6 address";
            return false;
        }

        var max = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var lengthText = text[(slash + 1)..];
        var length = lengthText.Length is > 0 and <= 3 && lengthText.All(char.IsAsciiDigit)
            ? int.Parse(lengthText, NumberStyles.None, CultureInfo.InvariantCulture)
            : -1;
        if (length < 1 || length > max)
        {
            error = $"prefix length '{Escape(lengthText)}' is not in 1..{max}";
            return false;
        }

        if (!IsUsableHostAddress(address))
        {
            error = $"{address} is not a usable interface address (unspecified, loopback or multicast)";
            return false;
        }

        prefix = new IpPrefix(address, length);
        error = null;
        return true;
    }

    public static bool IsUsableHostAddress(IPAddress address) =>
        !address.Equals(IPAddress.Any) && !address.Equals(IPAddress.IPv6Any)
        && !IPAddress.IsLoopback(address)
        && !address.IsIPv6Multicast
        && !(address.AddressFamily == AddressFamily.InterNetwork && address.GetAddressBytes()[0] >= 224);

    /// <summary>At most 40 characters of untrusted text, control characters escaped.</summary>
    public static string Escape(string value)
    {
        var shown = value.Length <= 40 ? value : value[..40] + "...";
        return string.Concat(shown.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
    }
}
