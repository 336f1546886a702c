using System.CommandLine;
using GuestAgentKit.Channels;
using GuestAgentKit.Cli;
using GuestAgentKit.Guest.Discovery;

namespace GuestAgentKit.Guest.Cli.Commands;

/// <summary><c>gak-agent locate NAME</c>: the tty of a channel, by name.</summary>
internal static class LocateCommand
{
    public static Command Create()
    {
        var discovery = new DiscoveryOptions();
        var name = new Argument<string>("name") { Description = "The channel name, e.g. org.guestagentkit.agent.1." };
        var command = new Command(
            "locate",
            "Print the tty of the channel with this name (a guess by hvc_xen numbering that the handshake confirms). " +
            "Exit 1 when no console has that name.")
        {
            name,
        };
        discovery.AddTo(command);
        command.SetAction(async (result, ct) =>
        {
            if (!ChannelName.TryParse(result.GetValue(name), out var channel, out var error))
            {
                throw new CliException(error, ExitCodes.Usage);
            }

            var consoles = await discovery.ListConsolesAsync(result, ct).ConfigureAwait(false);
            var named = consoles.Where(c => c.Name == channel.Value).ToArray();
            var found = named.FirstOrDefault(c => c.DevicePath is not null)
                ?? throw new CliException(named.Length == 0
                    ? $"no channel named '{channel}' in this guest's xenstore ({ChannelDiscovery.ConsoleDirectory}/*/name); 'gak-agent list' shows the channels present"
                    : $"channel '{channel}' is console {named[0].NodeName}, which Linux hvc_xen does not serve (devids 1-9 only, at most 7 channels)");
            await Console.Out.WriteLineAsync(found.DevicePath).ConfigureAwait(false);

            return ExitCodes.Success;
        });
        return command;
    }
}
