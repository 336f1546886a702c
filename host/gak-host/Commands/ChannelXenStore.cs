using System.CommandLine;
using GuestAgentKit.Cli;
using GuestAgentKit.XenStore;

namespace GuestAgentKit.Host.Cli.Commands;

/// <summary>The <c>--xenstore</c> / <c>--loopback</c> options of the channel commands, and connecting with them.</summary>
internal sealed class ChannelXenStore
{
    public Option<string?> XenStore { get; } = new("--xenstore")
    {
        Description = "xenstored socket to use (default: $XENSTORED_PATH, then /var/run/xenstored/socket, then /dev/xen/xenbus).",
    };

    public Option<string?> Loopback { get; } = new("--loopback")
    {
        Description = "Use the loopback Xen rooted at this directory (its xenstore is R/xenstored/socket).",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(XenStore);
        command.Options.Add(Loopback);
    }

    public async Task<XenStoreClient> ConnectAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var endpoint = Endpoint(parse.GetValue(XenStore), parse.GetValue(Loopback));
        try
        {
            return await XenStoreClient.ConnectAsync(endpoint, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot connect to xenstore at {endpoint}: {e.Message} (is xenstored running, and are you root?)", e);
        }
    }

    internal static XenStoreEndpoint Endpoint(string? xenStore, string? loopback) =>
        (xenStore, loopback) switch
        {
            ({ }, { }) => throw new CliException("give either --xenstore or --loopback, not both", ExitCodes.Usage),
            ({ } path, null) => XenStoreEndpoint.FromPath(path),
            (null, { } root) => XenStoreEndpoint.FromPath(Path.Combine(Path.GetFullPath(root), "xenstored", "socket")),
            _ => XenStoreEndpoint.Dom0Default(),
        };
}
