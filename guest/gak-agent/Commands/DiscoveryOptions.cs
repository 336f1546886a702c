using System.CommandLine;
using System.Net.Sockets;
using GuestAgentKit.Cli;
using GuestAgentKit.Guest.Discovery;
using GuestAgentKit.XenStore;

namespace GuestAgentKit.Guest.Cli.Commands;

/// <summary>The options every discovering command shares: where xenstore and the ttys are.</summary>
internal sealed class DiscoveryOptions
{
    public Option<string?> Xenbus { get; } = new("--xenbus")
    {
        Description = "The guest's xenstore: a xenbus device or a Unix socket (the loopback's R/guests/<D>/xenbus). " +
            $"Default: {XenStoreEndpoint.XenbusDevice}, then {XenStoreEndpoint.ProcXenbus}.",
        HelpName = "PATH",
    };

    public Option<string> DeviceDir { get; } = new("--device-dir")
    {
        Description = "Where the hvc ttys are (the loopback's R/guests/<D>).",
        HelpName = "DIR",
        DefaultValueFactory = _ => ChannelDiscovery.DefaultDeviceDirectory,
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Xenbus);
        command.Options.Add(DeviceDir);
    }

    public XenStoreEndpoint Endpoint(ParseResult result) =>
        result.GetValue(Xenbus) is { Length: > 0 } path ? XenStoreEndpoint.FromPath(path) : XenStoreEndpoint.GuestDefault();

    /// <summary>Every console of this guest with its channel name and device, or a one-line failure.</summary>
    public async Task<IReadOnlyList<ChannelConsole>> ListConsolesAsync(ParseResult result, CancellationToken cancellationToken)
    {
        var xenstore = await ConnectAsync(result, cancellationToken).ConfigureAwait(false);
        await using (xenstore.ConfigureAwait(false))
        {
            try
            {
                return await new ChannelDiscovery(xenstore, result.GetValue(DeviceDir)!).ListAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (XenStoreException ex)
            {
                throw new CliException($"cannot list {ChannelDiscovery.ConsoleDirectory}: {ex.Message}", ex);
            }
        }
    }

    /// <summary>Connects to the guest's xenstore or fails with a one-line message.</summary>
    private async Task<XenStoreClient> ConnectAsync(ParseResult result, CancellationToken cancellationToken)
    {
        var endpoint = Endpoint(result);
        try
        {
            return await XenStoreClient.ConnectAsync(endpoint, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot reach the guest's xenstore at {endpoint}: {ex.Message} (is this a Xen guest? --xenbus PATH names another)", ex);
        }
    }
}
