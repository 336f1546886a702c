using System.Net.Sockets;
using GuestAgentKit.Channels;
using GuestAgentKit.Guest.Discovery;
using GuestAgentKit.Guest.Transport;
using GuestAgentKit.XenStore;
using Microsoft.Extensions.Logging;

namespace GuestAgentKit.Guest.Agent;

/// <summary>
/// Opens the tty that discovery maps the channel name to, discovering again at every open (after a hang-up
/// the channel may have been removed, re-added or renumbered). While the channel is not in xenstore it waits
/// on a watch rather than fail. A xenstore that cannot be reached at all is a fatal configuration error.
/// </summary>
internal sealed partial class DiscoveringTransport(
    ChannelName channel,
    XenStoreEndpoint xenbus,
    string deviceDirectory,
    Func<string, IChannelTransport> openDevice,
    ILogger logger) : IChannelTransport, IAsyncDisposable
{
    private XenStoreClient? _xenstore;

    public string Description { get; private set; } = $"channel '{channel}' (discovered through {xenbus})";

    public async ValueTask<Stream> OpenAsync(CancellationToken cancellationToken)
    {
        var xenstore = _xenstore ??= await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var discovery = new ChannelDiscovery(xenstore, deviceDirectory);
        try
        {
            var console = await discovery.LocateAsync(channel, cancellationToken).ConfigureAwait(false);
            if (console is null)
            {
                LogWaiting(channel.Value, xenbus.ToString());
                console = await discovery.WaitForAsync(channel, cancellationToken).ConfigureAwait(false);
            }

            LogLocated(channel.Value, console.DevicePath!, console.Devid);
            var device = openDevice(console.DevicePath!);
            Description = device.Description;
            return await device.OpenAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (XenStoreConnectionClosedException)
        {
            // Reconnect at the next open; the reopen loop paces it.
            await DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_xenstore is { } xenstore)
        {
            _xenstore = null;
            await xenstore.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<XenStoreClient> ConnectAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await XenStoreClient.ConnectAsync(xenbus, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or UnauthorizedAccessException)
        {
            throw new AgentConfigurationException(
                $"cannot reach the guest's xenstore at {xenbus} to find channel '{channel}' ({ex.Message}); " +
                "is this a Xen guest with xenbus? Give --device PATH to serve a known tty, or --xenbus PATH", ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Channel {Channel} is not in xenstore ({Xenbus}) yet; waiting for it to appear")]
    private partial void LogWaiting(string channel, string xenbus);

    [LoggerMessage(Level = LogLevel.Information, Message = "Channel {Channel} is console devid {Devid}, guessed tty {Device}")]
    private partial void LogLocated(string channel, string device, int devid);
}
