using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using GuestAgentKit.Cli;

namespace GuestAgentKit.Host.Cli.Commands;

/// <summary><c>gak-host ping &lt;dom|--socket PATH&gt;</c>: handshake + <c>agent.ping</c>, with the round trip.</summary>
internal static class CallPingCommand
{
    public static Command Create()
    {
        var target = new CallTargetOptions();
        var domain = new Argument<string?>("dom") { Description = "The domain (domid or name); omit with --socket.", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command(
            "ping",
            "Check that a guest agent answers: handshake, then agent.ping; prints the agent and the round-trip time. Exit 1 when it does not answer.")
        {
            domain,
        };
        target.AddTo(command);
        command.SetAction(async (result, ct) =>
        {
            var client = await target.ConnectAsync(result, result.GetValue(domain), ct).ConfigureAwait(false);
            await using (client.ConfigureAwait(false))
            {
                var started = Stopwatch.GetTimestamp();
                var pong = await CallTargetOptions.CallAsync("agent.ping", () => client.PingAsync(ct)).ConfigureAwait(false);
                var agent = client.Welcome.Agent;
                await Console.Out.WriteLineAsync(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{pong} from {agent.Name} {agent.Version} on {client.SocketPath} in {Stopwatch.GetElapsedTime(started).TotalMilliseconds:0.0} ms")).ConfigureAwait(false);
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
