namespace GuestAgentKit.Protocol;

/// <summary>dom0 and the agent have no protocol version in common.</summary>
public sealed class ProtocolVersionMismatchException : ChannelProtocolException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="offered">Versions dom0 offered.</param>
    /// <param name="supported">Versions the agent speaks (from its reject).</param>
    public ProtocolVersionMismatchException(IReadOnlyList<int> offered, IReadOnlyList<int> supported)
        : base($"no common protocol version: dom0 speaks [{string.Join(",", offered)}], the agent speaks [{string.Join(",", supported)}]; upgrade the older side")
    {
        Offered = offered;
        Supported = supported;
    }

    /// <summary>Versions dom0 offered.</summary>
    public IReadOnlyList<int> Offered { get; }

    /// <summary>Versions the agent speaks.</summary>
    public IReadOnlyList<int> Supported { get; }
}
