using System.CommandLine;
using GuestAgentKit.Cli;

namespace GuestAgentKit.Host.Cli;

/// <summary>The <c>gak-host</c> command tree: one file per command group under Commands/.</summary>
internal static class HostCli
{
    public static RootCommand Build()
    {
        var root = new RootCommand(
            "GuestAgentKit dom0 tool: provision Xen channels, run the channel backend daemon, " +
            "and talk to guest agents.\n\n" + ExitCodes.Help);
        root.Subcommands.Add(Commands.LoopbackCommand.Build());
        return root;
    }
}
