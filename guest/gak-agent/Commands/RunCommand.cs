using System.CommandLine;
using GuestAgentKit.Cli;
using GuestAgentKit.Guest.Agent;

namespace GuestAgentKit.Guest.Cli.Commands;

/// <summary><c>gak-agent run</c>: the agent service.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var discovery = new DiscoveryOptions();
        var channel = new Option<string?>("--channel")
        {
            Description = "The channel to serve (default org.guestagentkit.agent.1, or Agent:Channel in the configuration).",
            HelpName = "NAME",
        };
        var device = new Option<string?>("--device")
        {
            Description = "Serve this tty (/dev/hvc1; /dev/ttyS* is opened as a serial port) instead of finding the channel by name in xenstore.",
            HelpName = "PATH",
        };
        var config = new Option<string?>("--config")
        {
            Description = $"JSON configuration file (default: {Limits.AgentConfigFile} if present); GAK_AGENT__<KEY> environment variables and these options override it.",
            HelpName = "FILE",
        };
        var command = new Command(
            "run",
            "Serve JSON-RPC to dom0 on a channel until SIGTERM: find the tty (or use --device), answer dom0's handshakes, " +
            "reopen after hang-ups with backoff, wait for the channel to appear when it is not there yet. " +
            "Exit 1 on a fatal fault (bad configuration, no xenstore).")
        {
            channel,
            device,
            config,
        };
        discovery.AddTo(command);
        command.SetAction(async (result, ct) =>
        {
            var args = new List<string>();
            Add(args, "--channel", result.GetValue(channel));
            Add(args, "--device", result.GetValue(device));
            Add(args, "--xenbus", result.GetValue(discovery.Xenbus));
            if (result.GetResult(discovery.DeviceDir) is { Implicit: false })
            {
                Add(args, "--device-dir", result.GetValue(discovery.DeviceDir));
            }

            Add(args, "--config", result.GetValue(config));
            try
            {
                return await AgentHost.RunAsync([.. args], ct).ConfigureAwait(false);
            }
            catch (AgentConfigurationException ex)
            {
                throw new CliException(ex.Message, ex);
            }
        });
        return command;
    }

    private static void Add(List<string> args, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            args.Add(name);
            args.Add(value);
        }
    }
}
