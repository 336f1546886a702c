using System.CommandLine;
using GuestAgentKit.Cli;
using GuestAgentKit.Samples.FirstBoot.Demo;

namespace GuestAgentKit.Samples.FirstBoot.Cli;

/// <summary>The sample's command tree: no command = the loopback demo; <c>agent</c> = the guest side; <c>push</c> = dom0's.</summary>
internal static class FirstBootCli
{
    public static RootCommand Build()
    {
        var keep = new Option<bool>("--keep") { Description = "Keep the loopback Xen, the backend and the agent running after the demo (Ctrl-C ends it) and print how to explore it." };
        var root = new RootCommand(
            "First-boot configuration over a Xen PV channel. Without a command: the whole story on the built-in " +
            "loopback Xen (no Xen needed): start the loopback, create a domain cloned from a template, add the agent " +
            "channel, start the backend and the guest agent (as its own process), connect, handshake, push the VM's " +
            "configuration and show the files written in the guest.\n\n" + ExitCodes.Help)
        {
            keep,
        };
        root.SetAction((result, ct) => LoopbackDemo.RunAsync(Console.Out, result.GetValue(keep), ct));
        root.Subcommands.Add(AgentCommand.Build());
        root.Subcommands.Add(PushCommand.Build());
        return root;
    }
}
