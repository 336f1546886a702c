using System.Globalization;

namespace GuestAgentKit.Xen;

/// <summary>An event channel port (<c>evtchn_port_t</c>), local to one domain.</summary>
/// <param name="Value">The numeric port.</param>
public readonly record struct EventChannelPort(uint Value)
{
    /// <inheritdoc />
    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);
}
