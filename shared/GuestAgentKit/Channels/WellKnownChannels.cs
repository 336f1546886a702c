using System.Diagnostics.CodeAnalysis;

namespace GuestAgentKit.Channels;

/// <summary>
/// The registry of well-known channel names, in the spirit of the "channel name registry" of Xen's
/// docs/misc/channel.txt; docs/channels.md lists the same entries.
/// </summary>
public static class WellKnownChannels
{
    /// <summary>The Xen wiki "Clipboard sharing protocol".</summary>
    public static WellKnownChannel Clipboard { get; } = new(
        ChannelName.Parse("org.xenproject.guest.clipboard.0.1"),
        "xen-devel@lists.xenproject.org",
        "Clipboard sharing between guest and dom0 (Xen wiki: Clipboard sharing protocol)");

    /// <summary>The GuestAgentKit JSON-RPC agent channel.</summary>
    public static WellKnownChannel Agent { get; } = new(
        ChannelName.Parse("org.guestagentkit.agent.1"),
        "GuestAgentKit developers",
        "GuestAgentKit agent: resync marker + hello/welcome handshake, then line-delimited JSON-RPC 2.0 (docs/protocol.md)");

    /// <summary>Every registered channel.</summary>
    public static IReadOnlyList<WellKnownChannel> All { get; } = [Clipboard, Agent];

    /// <summary>Looks a name up in the registry.</summary>
    /// <param name="name">The channel name.</param>
    /// <param name="channel">The entry when registered.</param>
    /// <returns>True when registered.</returns>
    public static bool TryGet(ChannelName name, [NotNullWhen(true)] out WellKnownChannel? channel)
    {
        ArgumentNullException.ThrowIfNull(name);
        channel = All.FirstOrDefault(c => c.Name == name);
        return channel is not null;
    }
}
