using System.CommandLine;
using GuestAgentKit.Cli;
using GuestAgentKit.Host.Cli.Commands;

namespace GuestAgentKit.Host.Cli;

/// <summary>The <c>gak-host</c> command tree: one file per command group under Commands/.</summary>
internal static class HostCli
{
    public static RootCommand Build()
    {
        var root = new RootCommand(
            "GuestAgentKit dom0 tool: provision Xen channels, run the channel backend daemon, " +
            "and talk to guest agents.\n\n" + ExitCodes.Help);
        root.Subcommands.Add(ChannelCommand.Build());
        root.Subcommands.Add(BackendCommand.Build());
        root.Subcommands.Add(Commands.CallCommand.Create());
        root.Subcommands.Add(Commands.CallPingCommand.Create());
        root.Subcommands.Add(Commands.CallInfoCommand.Create());
        return root;
    }
}
