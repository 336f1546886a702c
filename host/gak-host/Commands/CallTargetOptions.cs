using System.CommandLine;
using System.Globalization;
using System.Net.Sockets;
using GuestAgentKit.Channels;
using GuestAgentKit.Cli;
using GuestAgentKit.Host.Client;
using GuestAgentKit.Protocol;
using GuestAgentKit.XenStore;
using StreamJsonRpc;

namespace GuestAgentKit.Host.Cli.Commands;

/// <summary>How <c>call</c>, <c>ping</c> and <c>info</c> reach an agent: a socket path, or a domain and channel name
/// looked up in dom0's xenstore; with the protocol's timeouts as options.</summary>
internal sealed class CallTargetOptions
{
    public Option<string?> Socket { get; } = new("--socket")
    {
        Description = "The channel's Unix socket (instead of a domain).",
        HelpName = "PATH",
    };

    public Option<string> Channel { get; } = new("--channel")
    {
        Description = "The channel name the agent must serve.",
        HelpName = "NAME",
        DefaultValueFactory = _ => WellKnownChannels.Agent.Name.Value,
    };

    public Option<string?> XenStore { get; } = new("--xenstore")
    {
        Description = "dom0's xenstored socket for finding a domain's channel (default: XENSTORED_PATH, then the dom0 defaults).",
        HelpName = "PATH",
    };

    public Option<string?> Loopback { get; } = new("--loopback")
    {
        Description = "Use the loopback Xen under DIR (its xenstored is DIR/xenstored/socket).",
        HelpName = "DIR",
    };

    public Option<double> HandshakeTimeout { get; } = new("--handshake-timeout")
    {
        Description = "Seconds to wait for the agent's welcome.",
        HelpName = "SECONDS",
        DefaultValueFactory = _ => Limits.HandshakeTimeout.TotalSeconds,
    };

    public Option<double> Timeout { get; } = new("--timeout")
    {
        Description = "Seconds one call may take.",
        HelpName = "SECONDS",
        DefaultValueFactory = _ => Limits.CallTimeout.TotalSeconds,
    };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Socket, Channel, XenStore, Loopback, HandshakeTimeout, Timeout })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>Connects to the agent: through <c>--socket</c>, or by <paramref name="domain"/> via xenstore.</summary>
    public async Task<AgentClient> ConnectAsync(ParseResult result, string? domain, CancellationToken cancellationToken)
    {
        if (!ChannelName.TryParse(result.GetValue(Channel), out var channel, out var error))
        {
            throw new CliException("--channel: " + error, ExitCodes.Usage);
        }

        var options = new AgentClientOptions
        {
            HandshakeTimeout = Seconds(result.GetValue(HandshakeTimeout), "--handshake-timeout"),
            CallTimeout = Seconds(result.GetValue(Timeout), "--timeout"),
        };
        try
        {
            if (result.GetValue(Socket) is { Length: > 0 } socket)
            {
                return await AgentClient.ConnectAsync(socket, channel, options, cancellationToken).ConfigureAwait(false);
            }

            if (string.IsNullOrEmpty(domain))
            {
                throw new CliException("give a domain (domid or name) or --socket PATH", ExitCodes.Usage);
            }

            var xenstore = await ConnectXenStoreAsync(result, cancellationToken).ConfigureAwait(false);
            await using (xenstore.ConfigureAwait(false))
            {
                return await AgentClient.ConnectAsync(xenstore, domain, channel, options, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (AgentConnectionException ex)
        {
            throw new CliException(ex.Message, ex);
        }
    }

    /// <summary>Runs a call and turns the protocol's failures into one-line messages.</summary>
    public static async Task<T> CallAsync<T>(string method, Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (RemoteInvocationException ex)
        {
            throw new CliException(string.Create(CultureInfo.InvariantCulture, $"{method} failed: {ex.Message} (JSON-RPC error {ex.ErrorCode})"), ex);
        }
        catch (ChannelProtocolException ex)
        {
            throw new CliException($"{method} failed: {ex.Message}", ex);
        }
    }

    private async Task<XenStoreClient> ConnectXenStoreAsync(ParseResult result, CancellationToken cancellationToken)
    {
        var endpoint = result.GetValue(XenStore) is { Length: > 0 } path
            ? XenStoreEndpoint.FromPath(path)
            : result.GetValue(Loopback) is { Length: > 0 } root
                ? XenStoreEndpoint.FromPath(Path.Combine(root, "xenstored", "socket"))
                : XenStoreEndpoint.Dom0Default();
        try
        {
            return await XenStoreClient.ConnectAsync(endpoint, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot reach dom0's xenstore at {endpoint}: {ex.Message} (--xenstore PATH or --loopback DIR names another)", ex);
        }
    }

    private static TimeSpan Seconds(double seconds, string option) =>
        seconds is > 0 and <= 86_400
            ? TimeSpan.FromSeconds(seconds)
            : throw new CliException($"{option}: give 0 < SECONDS <= 86400", ExitCodes.Usage);
}
