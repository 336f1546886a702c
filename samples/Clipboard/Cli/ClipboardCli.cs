using System.CommandLine;
using System.Net.Sockets;
using GuestAgentKit.Cli;
using GuestAgentKit.Guest.Transport;
using GuestAgentKit.Protocol;
using GuestAgentKit.Samples.Clipboard.Dom0;
using GuestAgentKit.Samples.Clipboard.Guest;
using GuestAgentKit.Samples.Clipboard.Plugin;

namespace GuestAgentKit.Samples.Clipboard.Cli;

/// <summary><c>Clipboard agent|get|set|watch</c>: the guest agent and dom0's commands.</summary>
internal static class ClipboardCli
{
    public static RootCommand Build()
    {
        var root = new RootCommand("Clipboard sharing over the Xen PV channel org.xenproject.guest.clipboard.0.1.\n\n" + ExitCodes.Help);
        var socket = new Option<string>("--socket") { Description = "The channel's Unix socket (served by gak-host backend).", Required = true };
        var get = new Command("get", "Print the guest's clipboard text.") { socket };
        get.SetAction(async (r, ct) =>
        {
            await using var session = await ConnectAsync(r.GetValue(socket)!, null, ct).ConfigureAwait(false);
            Console.Write(await ClipboardRpc.GetAsync(session, ct).ConfigureAwait(false));
            return ExitCodes.Success;
        });
        var text = new Argument<string>("text") { Description = "The text to put on the guest's clipboard." };
        var set = new Command("set", "Replace the guest's clipboard text.") { socket, text };
        set.SetAction(async (r, ct) =>
        {
            await using var session = await ConnectAsync(r.GetValue(socket)!, null, ct).ConfigureAwait(false);
            await ClipboardRpc.SetAsync(session, r.GetValue(text)!, ct).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        var watch = new Command("watch", "Print the guest's clipboard text, then every change made in the guest, until Ctrl-C.") { socket };
        watch.SetAction(async (r, ct) =>
        {
            await using var session = await ConnectAsync(r.GetValue(socket)!, t => Console.WriteLine($"changed: {t}"), ct).ConfigureAwait(false);
            Console.WriteLine($"current: {await ClipboardRpc.GetAsync(session, ct).ConfigureAwait(false)}");
            await Task.WhenAny(session.Completion, Task.Delay(Timeout.Infinite, ct)).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        root.Subcommands.Add(AgentCommand());
        root.Subcommands.Add(get);
        root.Subcommands.Add(set);
        root.Subcommands.Add(watch);
        return root;
    }

    private static Command AgentCommand()
    {
        var device = new Option<string>("--device") { Description = "The channel's tty (/dev/hvcN; on the loopback R/guests/<D>/hvcN).", Required = true };
        var stdio = new Option<bool>("--stdio")
        {
            Description = "No desktop: use an in-memory clipboard that this terminal stands in for. Each line read from standard input is " +
                $"copied to it as a guest application would copy it; every change, whoever made it, is printed as '{TerminalDesk.ChangePrefix}TEXT'.",
        };
        var command = new Command("agent", "Serve clipboard.get/set on the channel's tty and send clipboard.changed for changes made in the guest (Wayland, X11 or in-memory clipboard).") { device, stdio };
        command.SetAction(async (r, ct) =>
        {
            var clipboard = r.GetValue(stdio) ? new InMemoryClipboard() : ClipboardFactory.Detect();
            var service = new ClipboardService(clipboard);
            var endpoint = ClipboardPlugin.CreateEndpoint(service, new AgentIdentity("Clipboard", "0.1.0"));
            Task[] helpers = r.GetValue(stdio)
                ? [TerminalDesk.CopyLinesAsync(clipboard, Console.In, ct), TerminalDesk.PrintChangesAsync(clipboard, Console.Out, ct)]
                : [];
            var forwarder = ClipboardPlugin.ForwardChangesAsync(service, endpoint, ct);
            var channel = new ReopeningChannel(new HvcTransport(r.GetValue(device)!));
            Console.Error.WriteLine($"clipboard backend: {clipboard.Backend}");
            try
            {
                while (true)
                {
                    var stream = await channel.OpenAsync(ct).ConfigureAwait(false);
                    await using (stream.ConfigureAwait(false))
                    {
                        Console.Error.WriteLine("waiting for dom0's hello");
                        await endpoint.RunAsync(stream, ct).ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                await Task.WhenAny(Task.WhenAll([forwarder, .. helpers])).ConfigureAwait(false);
                return ExitCodes.Success;
            }
        });
        return command;
    }

    private static async Task<ChannelSession> ConnectAsync(string socketPath, Action<string>? changed, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
            return await ChannelSession.ConnectAsync(new NetworkStream(socket, ownsSocket: true), ClipboardPlugin.Channel, ClipboardRpc.SessionOptions(changed), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or ChannelProtocolException)
        {
            socket.Dispose();
            throw new CliException($"cannot open a clipboard session on {socketPath}: {e.Message}");
        }
    }
}
