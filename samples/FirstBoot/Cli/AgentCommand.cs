using System.CommandLine;
using GuestAgentKit.Cli;
using GuestAgentKit.Guest.Agent;
using GuestAgentKit.Samples.FirstBoot.Plugin;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace GuestAgentKit.Samples.FirstBoot.Cli;

/// <summary><c>FirstBoot agent</c>: the guest agent (agent host + the first-boot plugin), as udev/systemd starts it.</summary>
internal static class AgentCommand
{
    public static Command Build()
    {
        var root = new Option<string>("--root") { Description = "The guest root the configuration is written into.", DefaultValueFactory = _ => "/" };
        var channel = new Option<string?>("--channel") { Description = "The channel to serve (default org.guestagentkit.agent.1)." };
        var device = new Option<string?>("--device") { Description = "The tty to serve (/dev/hvcN); default: discover it by the channel name in xenstore." };
        var xenbus = new Option<string?>("--xenbus") { Description = "The guest's xenstore device for discovery (/dev/xen/xenbus; on the loopback R/guests/<D>/xenbus)." };
        var deviceDir = new Option<string?>("--device-dir") { Description = "Where discovered ttys live (/dev; on the loopback R/guests/<D>)." };
        var config = new Option<string?>("--config") { Description = "The agent's JSON configuration file (docs/guest.md)." };
        var command = new Command(
            "agent",
            "Run the guest agent with the first-boot plugin: serves config.apply and config.validate (plus agent.ping, " +
            "agent.info) on the channel until SIGTERM, reopening the tty after every hang-up.")
        {
            root, channel, device, xenbus, deviceDir, config,
        };
        command.SetAction(async (result, ct) =>
        {
            var guestRoot = Path.GetFullPath(result.GetValue(root)!);
            if (!Directory.Exists(guestRoot))
            {
                throw new CliException($"guest root {guestRoot} does not exist", ExitCodes.Usage);
            }

            var hostArgs = new List<string>();
            Pass(hostArgs, "--channel", result.GetValue(channel));
            Pass(hostArgs, "--device", result.GetValue(device));
            Pass(hostArgs, "--xenbus", result.GetValue(xenbus));
            Pass(hostArgs, "--device-dir", result.GetValue(deviceDir));
            Pass(hostArgs, "--config", result.GetValue(config));
            return await RunAgentAsync([.. hostArgs], guestRoot, ct).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>Hosts the agent with the plugin; returns the exit code (1 when the host stopped on a fault).</summary>
    private static async Task<int> RunAgentAsync(string[] hostArgs, string guestRoot, CancellationToken cancellationToken)
    {
        var builder = AgentHost.CreateBuilder(hostArgs);
        builder.Services.AddSingleton(new FirstBootService(guestRoot));
        builder.Services.AddAgentPlugin<IFirstBootService>(FirstBootMethods.Prefix, sp => sp.GetRequiredService<FirstBootService>());
        builder.Services.AddAgentJsonTypeInfoResolver(Guest.FirstBootJsonContext.Default);
        using var host = builder.Build();
        await host.RunAsync(cancellationToken).ConfigureAwait(false);
        return Environment.ExitCode;
    }

    private static void Pass(List<string> args, string name, string? value)
    {
        if (value is not null)
        {
            args.Add(name);
            args.Add(value);
        }
    }
}
