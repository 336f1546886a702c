using System.CommandLine;
using System.Runtime.InteropServices;
using GuestAgentKit.Cli;
using GuestAgentKit.Loopback;
using GuestAgentKit.Loopback.Toolstack;
using GuestAgentKit.XenStore;
using GuestAgentKit.Xen;
using Microsoft.Extensions.Logging;

namespace GuestAgentKit.Host.Cli.Commands;

/// <summary><c>gak-host loopback start|create|destroy|list</c>: the built-in userspace Xen (docs/loopback.md).</summary>
internal static class LoopbackCommand
{
    private const string DirHelp =
        "Loopback root directory R (default: /run/gak-loopback as root, else $XDG_RUNTIME_DIR/gak-loopback, " +
        "else /tmp/gak-loopback-$USER).";

    public static Command Build()
    {
        var command = new Command(
            "loopback",
            "Run Xen without a hypervisor: an embedded xenstored, page files and FIFOs under one directory, and a " +
            "guest kernel emulator per domain exposing R/guests/<domid>/xenbus (its /dev/xen/xenbus) and " +
            "R/guests/<domid>/hvcN (its /dev/hvcN, pty slaves). dom0 tools use XENSTORED_PATH=R/xenstored/socket.");
        command.Subcommands.Add(Start());
        command.Subcommands.Add(Create());
        command.Subcommands.Add(Destroy());
        command.Subcommands.Add(List());
        return command;
    }

    private static Option<string?> DirOption() => new("--dir") { Description = DirHelp };

    private static string ResolveDir(string? dir)
    {
        if (!string.IsNullOrEmpty(dir))
        {
            return Path.GetFullPath(dir);
        }

        if (Environment.IsPrivilegedProcess)
        {
            return "/run/gak-loopback";
        }

        var runtime = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        return string.IsNullOrEmpty(runtime)
            ? Path.Combine(Path.GetTempPath(), $"gak-loopback-{Environment.UserName}")
            : Path.Combine(runtime, "gak-loopback");
    }

    private static Command Start()
    {
        var dir = DirOption();
        var real = new Option<string?>("--real-xenstored")
        {
            Description = "Use the xenstored already listening on this socket (e.g. Debian's, on the test stand-ins) " +
                "instead of starting the embedded one at R/xenstored/socket.",
        };
        var command = new Command(
            "start",
            "Run the loopback in the foreground: xenstored (embedded unless --real-xenstored) and a guest kernel " +
            "emulator for every domain that is introduced and has a marker. Logs to stderr; prints one line " +
            "'ready <R> <xenstore socket>' on stdout when up. Ctrl-C or SIGTERM destroys the domains and removes " +
            "what it created (the whole of R if it did not exist before).")
        {
            dir,
            real,
        };
        command.SetAction(async (parse, ct) =>
        {
            var root = ResolveDir(parse.GetValue(dir));
            using var loggers = LoggerFactory.Create(b => b
                .AddSimpleConsole(o =>
                {
                    o.SingleLine = true;
                    o.TimestampFormat = "HH:mm:ss ";
                })
                .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace)
                .SetMinimumLevel(LogLevel.Information));
            LoopbackXen xen;
            try
            {
                xen = await LoopbackXen.StartAsync(
                    root,
                    new LoopbackXenOptions { ExternalXenStoredSocket = parse.GetValue(real), Logger = loggers.CreateLogger("loopback") },
                    ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or XenStoreException or UnauthorizedAccessException or System.Net.Sockets.SocketException)
            {
                throw new CliException($"cannot start the loopback on {root}: {ex.Message}", ex);
            }

            await using (xen.ConfigureAwait(false))
            {
                Console.Out.WriteLine($"ready {xen.Root} {xen.XenStoreSocketPath}");
                await Console.Out.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                // Ctrl-C / SIGTERM: stop waiting and tear down (the signal's default action would kill us first).
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
                using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
                using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
                try
                {
                    await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }

                void Stop(PosixSignalContext context)
                {
                    context.Cancel = true;
                    stop.Cancel();
                }
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Create()
    {
        var dir = DirOption();
        var name = new Option<string>("--name") { Description = "The domain name.", Required = true };
        var uuid = new Option<Guid?>("--uuid") { Description = "The domain UUID (default: a new one)." };
        var command = new Command(
            "create",
            "Create a domain as libxl would (marker, zeroed xenstore and console pages, their ports, " +
            "/local/domain/<domid>, /vm/<uuid>, XS_INTRODUCE) on a running 'loopback start'; prints the new domid. " +
            "The running loopback then boots its guest emulator.")
        {
            dir,
            name,
            uuid,
        };
        command.SetAction(async (parse, ct) =>
        {
            var root = ResolveDir(parse.GetValue(dir));
            await using var dom0 = await ConnectAsync(root, ct).ConfigureAwait(false);
            var id = await new LoopbackToolstack(root, dom0).CreateDomainAsync(parse.GetValue(name)!, parse.GetValue(uuid), ct).ConfigureAwait(false);
            Console.Out.WriteLine(id.ToString());
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Destroy()
    {
        var dir = DirOption();
        var domain = new Argument<string>("dom") { Description = "The domain id or name." };
        var command = new Command(
            "destroy",
            "Destroy a domain: XS_RELEASE (@releaseDomain fires, its guest emulator stops), remove its xenstore " +
            "nodes and backend directories, then its marker, pages and ports.")
        {
            dir,
            domain,
        };
        command.SetAction(async (parse, ct) =>
        {
            var root = ResolveDir(parse.GetValue(dir));
            var id = FindDomain(root, parse.GetValue(domain)!);
            await using var dom0 = await ConnectAsync(root, ct).ConfigureAwait(false);
            await new LoopbackToolstack(root, dom0).DestroyDomainAsync(id, ct).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List()
    {
        var dir = DirOption();
        var command = new Command("list", "List the domains on the loopback with their guest xenbus socket and hvc devices.") { dir };
        command.SetAction(parse =>
        {
            var root = ResolveDir(parse.GetValue(dir));
            var table = new TextTable("DOMID", "NAME", "UUID", "XENBUS", "CONSOLES");
            foreach (var entry in LoopbackToolstack.ListDomains(root))
            {
                table.Add(
                    entry.Id.ToString(),
                    entry.Info.Name,
                    entry.Info.Uuid.ToString("D"),
                    File.Exists(entry.XenbusPath) ? entry.XenbusPath : "-",
                    string.Join(' ', entry.ConsoleDevices().Select(Path.GetFileName)));
            }

            Console.Out.Write(table.ToString());
            return ExitCodes.Success;
        });
        return command;
    }

    private static DomainId FindDomain(string root, string text)
    {
        var domains = LoopbackToolstack.ListDomains(root);
        if (DomainId.TryParse(text, out var id) && domains.Any(d => d.Id == id))
        {
            return id;
        }

        return domains.FirstOrDefault(d => d.Info.Name == text)?.Id
            ?? throw new CliException($"no domain '{text}' on {root}");
    }

    private static async Task<XenStoreClient> ConnectAsync(string root, CancellationToken ct)
    {
        var socket = Path.Combine(root, "xenstored", "socket");
        try
        {
            return await XenStoreClient.ConnectAsync(XenStoreEndpoint.FromPath(socket), ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or XenStoreException)
        {
            throw new CliException($"no xenstored at {socket} (is 'gak-host loopback start --dir {root}' running?): {ex.Message}", ex);
        }
    }
}
