using GuestAgentKit.Xen;
using Microsoft.Extensions.Logging;

namespace GuestAgentKit.Loopback.XenStored;

/// <summary>Options of an <see cref="EmbeddedXenStored"/>.</summary>
public sealed class EmbeddedXenStoredOptions
{
    /// <summary>Where the server logs hostile or broken connections. Null: nowhere.</summary>
    public ILogger? Logger { get; init; }

    /// <summary>Opens the stream over a domain's xenstore ring when dom0 sends INTRODUCE (domain, ring frame
    /// number, event channel port). Null: INTRODUCE only marks the domain introduced.</summary>
    public Func<DomainId, ulong, EventChannelPort, Stream>? DomainConnector { get; init; }
}
