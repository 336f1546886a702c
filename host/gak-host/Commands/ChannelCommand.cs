using System.CommandLine;
using System.Text.Json;
using GuestAgentKit.Channels.Xl;
using GuestAgentKit.Cli;
using GuestAgentKit.Host.Provisioning;
using GuestAgentKit.Xen;
using GuestAgentKit.XenStore;

namespace GuestAgentKit.Host.Cli.Commands;

/// <summary><c>gak-host channel add|remove|list|info</c>: channel provisioning in xenstore, as libxl does it.</summary>
internal static class ChannelCommand
{
    public static Command Build()
    {
        var command = new Command(
            "channel",
            "Add, remove, list and inspect Xen channels (named PV consoles) of running domains in xenstore, " +
            "writing the nodes and permissions libxl writes, with frontend type=" + ChannelPaths.ChannelBackendType +
            " so only the gak-host backend serves them.");
        command.Subcommands.Add(BuildAdd());
        command.Subcommands.Add(BuildRemove());
        command.Subcommands.Add(BuildList());
        command.Subcommands.Add(BuildInfo());
        return command;
    }

    private static Argument<string> DomainArgument() => new("dom") { Description = "The domain: a domid or a domain name." };

    private static Command BuildAdd()
    {
        var xs = new ChannelXenStore();
        var dom = DomainArgument();
        var spec = new Argument<string?>("spec")
        {
            Description = "One xl channel entry, e.g. 'connection=socket, name=org.example.agent.1, path=/run/gak/vm1.sock' or 'connection=pty, name=NAME'.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var config = new Option<FileInfo?>("--config") { Description = "Add every entry of the channel=[...] line of this xl domain config file instead." };
        var command = new Command(
            "add",
            "Hot-plug channels into a running domain at the next free devids (1..9; Linux hvc_xen reads one digit). " +
            "Refuses a name the domain already has. A running 'gak-host backend' picks them up at once.") { dom, spec, config };
        xs.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var specs = (parse.GetValue(spec), parse.GetValue(config)) switch
            {
                ({ } text, null) => [ParseSpec(text)],
                (null, { } file) => ReadConfig(file),
                _ => throw new CliException("give either one channel spec or --config FILE", ExitCodes.Usage),
            };
            await using var client = await xs.ConnectAsync(parse, ct).ConfigureAwait(false);
            var provisioner = new ChannelProvisioner(client);
            var domain = await Resolve(provisioner, parse.GetValue(dom)!, ct).ConfigureAwait(false);
            foreach (var channel in specs)
            {
                var info = await Provision(() => provisioner.AddAsync(domain, channel, ct)).ConfigureAwait(false);
                Console.WriteLine($"added channel {info.Name} to domain {domain} as console {info.Devid} ({info.FrontendPath})");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command BuildRemove()
    {
        var xs = new ChannelXenStore();
        var dom = DomainArgument();
        var which = new Argument<string>("channel") { Description = "The channel's name or devid." };
        var command = new Command(
            "remove",
            "Hot-unplug a channel: set the backend state to Closing (the backend daemon closes its socket/pty), " +
            "then remove the frontend and backend nodes.") { dom, which };
        xs.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            await using var client = await xs.ConnectAsync(parse, ct).ConfigureAwait(false);
            var provisioner = new ChannelProvisioner(client);
            var domain = await Resolve(provisioner, parse.GetValue(dom)!, ct).ConfigureAwait(false);
            var info = await Provision(() => provisioner.RemoveAsync(domain, parse.GetValue(which)!, ct)).ConfigureAwait(false);
            Console.WriteLine($"removed channel {info.Name} (console {info.Devid}) from domain {domain}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command BuildList()
    {
        var xs = new ChannelXenStore();
        var dom = DomainArgument();
        var json = new Option<bool>("--json") { Description = "Print a JSON array instead of a table." };
        var command = new Command(
            "list",
            "List a domain's channels with the columns of 'xl channel-list' (Idx is the console devid; state is the " +
            "frontend's xenbus state) plus type, name and the socket path or pty.") { dom, json };
        xs.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            await using var client = await xs.ConnectAsync(parse, ct).ConfigureAwait(false);
            var provisioner = new ChannelProvisioner(client);
            var domain = await Resolve(provisioner, parse.GetValue(dom)!, ct).ConfigureAwait(false);
            var channels = await provisioner.ListAsync(domain, ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(channels.Select(ToJson).ToArray(), ChannelJsonContext.Default.ChannelJsonArray));
                return ExitCodes.Success;
            }

            var table = new TextTable("Idx", "BE", "state", "evt-ch", "ring-ref", "connection", "type", "name", "path/pty");
            foreach (var c in channels)
            {
                table.Add(
                    c.Devid.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    c.BackendDomain.ToString(),
                    c.FrontendState is { } s ? ((int)s).ToString(System.Globalization.CultureInfo.InvariantCulture) : "-1",
                    c.EventChannel ?? "-1",
                    c.RingRef ?? "-1",
                    c.Connection,
                    c.Type,
                    c.Name,
                    c.Connection == "pty" ? c.Tty : c.SocketPath);
            }

            Console.Write(table.ToString());
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command BuildInfo()
    {
        var xs = new ChannelXenStore();
        var dom = DomainArgument();
        var which = new Argument<string>("channel") { Description = "The channel's name or devid." };
        var command = new Command("info", "Print everything xenstore says about one channel, as JSON.") { dom, which };
        xs.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            await using var client = await xs.ConnectAsync(parse, ct).ConfigureAwait(false);
            var provisioner = new ChannelProvisioner(client);
            var domain = await Resolve(provisioner, parse.GetValue(dom)!, ct).ConfigureAwait(false);
            var info = await Provision(() => provisioner.FindAsync(domain, parse.GetValue(which)!, ct)).ConfigureAwait(false);
            Console.WriteLine(JsonSerializer.Serialize(ToJson(info), ChannelJsonContext.Default.ChannelJson));
            return ExitCodes.Success;
        });
        return command;
    }

    internal static ChannelJson ToJson(ChannelInfo c) => new(
        c.Domain.Value,
        c.Devid,
        c.Name,
        c.BackendDomain.Value,
        c.Type,
        c.Connection,
        c.SocketPath,
        string.IsNullOrEmpty(c.Tty) ? null : c.Tty,
        c.FrontendState?.ToString(),
        c.BackendState?.ToString(),
        c.EventChannel,
        c.RingRef,
        c.FrontendPath,
        c.BackendPath);

    private static XlChannelSpec ParseSpec(string text)
    {
        try
        {
            return XlChannelSpec.Parse(text);
        }
        catch (XlChannelSpecException e)
        {
            throw new CliException(e.Message, ExitCodes.Usage);
        }
    }

    private static IReadOnlyList<XlChannelSpec> ReadConfig(FileInfo file)
    {
        string text;
        try
        {
            text = File.ReadAllText(file.FullName);
        }
        catch (IOException e)
        {
            throw new CliException($"cannot read {file.FullName}: {e.Message}", e);
        }

        try
        {
            var specs = XlChannelList.ParseConfig(text);
            return specs.Count > 0 ? specs : throw new CliException($"{file.FullName} has no channel=[...] entries");
        }
        catch (XlChannelSpecException e)
        {
            throw new CliException($"{file.FullName}: {e.Message}", e);
        }
    }

    private static Task<DomainId> Resolve(ChannelProvisioner provisioner, string domain, CancellationToken ct) =>
        Provision(() => provisioner.ResolveDomainAsync(domain, ct));

    private static async Task<T> Provision<T>(Func<Task<T>> operation)
    {
        try
        {
            return await operation().ConfigureAwait(false);
        }
        catch (ChannelProvisioningException e)
        {
            throw new CliException(e.Message, e);
        }
        catch (XenStoreException e)
        {
            throw new CliException($"xenstore refused: {e.Message}", e);
        }
    }
}
