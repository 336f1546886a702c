using GuestAgentKit.Channels;
using GuestAgentKit.Protocol;
using GuestAgentKit.Samples.Clipboard.Guest;

namespace GuestAgentKit.Samples.Clipboard.Plugin;

/// <summary>Wires the clipboard plugin to an agent endpoint on the clipboard channel.</summary>
public static class ClipboardPlugin
{
    /// <summary>The method prefix.</summary>
    public const string Prefix = "clipboard";

    /// <summary>The channel's name as a <see cref="ChannelName"/>.</summary>
    public static ChannelName Channel => WellKnownChannels.Clipboard.Name;

    /// <summary>An endpoint on the clipboard channel serving <paramref name="service"/>.</summary>
    /// <param name="service">The service.</param>
    /// <param name="identity">Name and version for the welcome.</param>
    /// <returns>The endpoint.</returns>
    public static AgentEndpoint CreateEndpoint(ClipboardService service, AgentIdentity identity) =>
        new AgentEndpoint(Channel, identity).AddTarget<IClipboardService>(Prefix, service);

    /// <summary>Forwards guest changes as <c>clipboard.changed</c> notifications on <paramref name="endpoint"/>'s current session.</summary>
    /// <param name="service">The service.</param>
    /// <param name="endpoint">The endpoint.</param>
    /// <param name="cancellationToken">Stops forwarding.</param>
    /// <returns>A task that ends by cancellation.</returns>
    public static Task ForwardChangesAsync(ClipboardService service, AgentEndpoint endpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(endpoint);
        return service.ForwardChangesAsync((text, ct) => endpoint.NotifyAsync(ClipboardChannel.ChangedNotification, new { text }, ct), cancellationToken);
    }
}
