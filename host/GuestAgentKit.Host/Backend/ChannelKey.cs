using GuestAgentKit.Xen;

namespace GuestAgentKit.Host.Backend;

/// <summary>A console device: frontend domain and devid.</summary>
/// <param name="Domain">The frontend domain.</param>
/// <param name="Devid">The console devid.</param>
public readonly record struct ChannelKey(DomainId Domain, int Devid)
{
    /// <inheritdoc />
    public override string ToString() => $"{Domain}/{Devid}";
}
