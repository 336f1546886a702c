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
        root.Subcommands.Add(CallCommand.Create());
        root.Subcommands.Add(CallPingCommand.Create());
        root.Subcommands.Add(CallInfoCommand.Create());
        root.Subcommands.Add(Commands.LoopbackCommand.Build());
        return root;
    }
}
