using System.CommandLine;
using GuestAgentKit.Cli;

namespace GuestAgentKit.Guest.Cli;

/// <summary>The <c>gak-agent</c> command tree: one file per command under Commands/.</summary>
internal static class AgentCli
{
    public static RootCommand Build()
    {
        var root = new RootCommand(
            "GuestAgentKit guest agent: find Xen channels by name and serve JSON-RPC to dom0 over them.\n\n" +
            ExitCodes.Help);
        root.Subcommands.Add(Commands.RunCommand.Create());
        root.Subcommands.Add(Commands.ListCommand.Create());
        root.Subcommands.Add(Commands.LocateCommand.Create());
        root.Subcommands.Add(Commands.UdevHelperCommand.Create());
        return root;
    }
}
