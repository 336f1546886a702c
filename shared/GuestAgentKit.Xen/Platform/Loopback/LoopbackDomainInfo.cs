using System.Globalization;
using System.Text;

namespace GuestAgentKit.Xen.Platform.Loopback;

/// <summary>
/// The contents of a loopback domain marker <c>R/domains/&lt;domid&gt;</c>: <c>key=value</c> lines
/// (docs/loopback.md). Unknown keys are ignored when reading.
/// </summary>
/// <param name="Name">The domain name (<c>name=</c>).</param>
/// <param name="Uuid">The domain UUID (<c>uuid=</c>).</param>
/// <param name="XenStorePort">The unbound port the domain allocated for xenstored (<c>xs-port=</c>), if any.</param>
/// <param name="ConsolePort">The primary console's unbound port (<c>console-port=</c>), if any.</param>
public sealed record LoopbackDomainInfo(string Name, Guid Uuid, EventChannelPort? XenStorePort = null, EventChannelPort? ConsolePort = null)
{
    /// <summary>Formats the marker text.</summary>
    /// <returns>The <c>key=value</c> lines.</returns>
    public string Format()
    {
        if (Name.AsSpan().IndexOfAny('\n', '\r', '\0') >= 0)
        {
            throw new ArgumentException($"domain name '{Name}' contains a line break or NUL", nameof(Name));
        }

        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"name={Name}\n");
        text.Append(CultureInfo.InvariantCulture, $"uuid={Uuid:D}\n");
        if (XenStorePort is { } xs)
        {
            text.Append(CultureInfo.InvariantCulture, $"xs-port={xs}\n");
        }

        if (ConsolePort is { } console)
        {
            text.Append(CultureInfo.InvariantCulture, $"console-port={console}\n");
        }

        return text.ToString();
    }

    /// <summary>Parses marker text; missing or malformed fields read as empty/absent.</summary>
    /// <param name="text">The marker file's contents.</param>
    /// <returns>The parsed info.</returns>
    public static LoopbackDomainInfo Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var info = new LoopbackDomainInfo(string.Empty, Guid.Empty);
        foreach (var line in text.Split('\n'))
        {
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                continue;
            }

            var value = line[(equals + 1)..];
            info = line[..equals] switch
            {
                "name" => info with { Name = value },
                "uuid" => info with { Uuid = Guid.TryParse(value, out var uuid) ? uuid : Guid.Empty },
                "xs-port" => info with { XenStorePort = ParsePort(value) },
                "console-port" => info with { ConsolePort = ParsePort(value) },
                _ => info,
            };
        }

        return info;
    }

    private static EventChannelPort? ParsePort(string value) =>
        uint.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) ? new EventChannelPort(port) : null;
}
