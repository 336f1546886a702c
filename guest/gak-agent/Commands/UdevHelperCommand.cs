using System.CommandLine;
using System.Globalization;
using GuestAgentKit.Cli;
using GuestAgentKit.Guest.Agent;
using GuestAgentKit.Guest.Discovery;
using GuestAgentKit.XenStore;

namespace GuestAgentKit.Guest.Cli.Commands;

/// <summary><c>gak-agent udev-helper hvcN</c>: <c>KEY=value</c> lines for udev's <c>IMPORT{program}</c> (docs/guest.md).</summary>
internal static class UdevHelperCommand
{
    /// <summary>udev kills a slow helper at its event timeout; give up on xenstore well before.</summary>
    private static readonly TimeSpan XenStoreBudget = TimeSpan.FromSeconds(5);

    public static Command Create()
    {
        var discovery = new DiscoveryOptions();
        var kernel = new Argument<string>("kernel") { Description = "The tty's kernel name as udev's %k, e.g. hvc1." };
        var config = new Option<string?>("--config")
        {
            Description = $"The agent's configuration, for which channel it serves (default: {Limits.AgentConfigFile} if present).",
            HelpName = "FILE",
        };
        var command = new Command(
            "udev-helper",
            "For udev IMPORT{program}: print GAK_CHANNEL_NAME=, GAK_CHANNEL_DEVID= and (when the agent serves that name) " +
            "GAK_CHANNEL_SERVE=1 for a tty; print nothing when it is not a named channel or xenstore cannot be read. " +
            "Exit 0 whenever it could decide, non-zero only on an internal error.")
        {
            kernel,
            config,
        };
        discovery.AddTo(command);
        command.SetAction(async (result, ct) =>
        {
            var options = LoadOptions(result.GetValue(config));
            var console = await FindAsync(discovery.Endpoint(result), result.GetValue(discovery.DeviceDir)!, result.GetValue(kernel)!, ct).ConfigureAwait(false);
            if (console is { Name: { } name } && IsSafeName(name))
            {
                var lines = $"GAK_CHANNEL_NAME={name}\nGAK_CHANNEL_DEVID={console.Devid.ToString(CultureInfo.InvariantCulture)}\n";
                if (name == options.Channel.Value)
                {
                    lines += "GAK_CHANNEL_SERVE=1\n";
                }

                await Console.Out.WriteAsync(lines).ConfigureAwait(false);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>A name safe as one path component of <c>/dev/xen-channel/NAME</c>: 1..64 of <c>[A-Za-z0-9._-]</c>, no leading '.'.</summary>
    internal static bool IsSafeName(string name) =>
        name.Length is >= 1 and <= 64 && name[0] != '.' && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    private static AgentOptions LoadOptions(string? configFile)
    {
        try
        {
            return AgentHost.LoadOptions(configFile);
        }
        catch (AgentConfigurationException ex)
        {
            throw new CliException(ex.Message, ex);
        }
    }

    private static async Task<ChannelConsole?> FindAsync(XenStoreEndpoint endpoint, string deviceDirectory, string kernel, CancellationToken cancellationToken)
    {
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(XenStoreBudget);
        try
        {
            var xenstore = await XenStoreClient.ConnectAsync(endpoint, budget.Token).ConfigureAwait(false);
            await using (xenstore.ConfigureAwait(false))
            {
                return await new ChannelDiscovery(xenstore, deviceDirectory).FindByKernelNameAsync(kernel, budget.Token).ConfigureAwait(false);
            }
        }
#pragma warning disable CA1031 // The contract: xenstore unreadable means "not a named channel", reported on stderr, exit 0.
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            await Console.Error.WriteLineAsync($"gak-agent udev-helper: cannot read xenstore at {endpoint}: {ex.Message}").ConfigureAwait(false);
            return null;
        }
    }
}
