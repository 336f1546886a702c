using Microsoft.Extensions.Logging;

namespace GuestAgentKit.Loopback;

/// <summary>Options of a <see cref="LoopbackXen"/>.</summary>
public sealed class LoopbackXenOptions
{
    /// <summary>
    /// The socket of an xenstored already serving the root (e.g. Debian's real one on the test stand-ins).
    /// Null: start the embedded xenstored at <c>R/xenstored/socket</c>.
    /// </summary>
    public string? ExternalXenStoredSocket { get; init; }

    /// <summary>Where to log what happens. Null: nowhere.</summary>
    public ILogger? Logger { get; init; }
}
