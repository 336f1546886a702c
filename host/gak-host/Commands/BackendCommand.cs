using System.CommandLine;
using System.Globalization;
using GuestAgentKit.Cli;
using GuestAgentKit.Host.Backend;
using Microsoft.Extensions.Hosting;

namespace GuestAgentKit.Host.Cli.Commands;

/// <summary><c>gak-host backend</c>: the channel backend daemon.</summary>
internal static class BackendCommand
{
    public static Command Build()
    {
        var loopback = new Option<string?>("--loopback") { Description = "Serve the loopback Xen rooted at this directory (xenstore at R/xenstored/socket)." };
        var native = new Option<bool>("--native") { Description = "Serve real Xen: libxengnttab/libxenevtchn and dom0's xenstore." };
        var config = new Option<FileInfo?>("--config") { Description = "JSON settings file; keys under \"Backend\" (Loopback, Native, XenStore, SocketGroup, SocketMode, BytesPerSecond, BurstBytes, EventsPerSecond) and \"Logging\". Environment GAK_BACKEND__<Key> overrides the file; options override both." };
        var xenStore = new Option<string?>("--xenstore") { Description = "xenstored socket (default: from the platform)." };
        var group = new Option<string?>("--socket-group") { Description = "Group (name or gid) that owns every channel socket; use with --socket-mode 0660." };
        var mode = new Option<string?>("--socket-mode") { Description = "Octal mode of channel sockets (default 0600)." };
        var rate = new Option<long?>("--bytes-per-second") { Description = $"Per-channel rate limit (default {Limits.BackendDefaultBytesPerSecond}); an exhausted channel is served later, never dropped." };
        var events = new Option<int?>("--events-per-second") { Description = $"Per-channel event-channel wake-ups per second (default {Limits.BackendDefaultEventsPerSecond})." };
        var command = new Command(
            "backend",
            "Run the channel backend daemon in the foreground: serve every channel of type " + Provisioning.ChannelPaths.ChannelBackendType +
            " of every domain (ring <-> Unix socket or pty), found by xenstore watches; reattaches connected channels after a restart " +
            "without losing ring bytes. Under systemd (Type=notify) it reports readiness and logs to the journal; SIGTERM stops it " +
            "cleanly; a fatal error exits 1.")
        {
            loopback, native, config, xenStore, group, mode, rate, events,
        };
        command.SetAction(async (parse, ct) =>
        {
            var overrides = new Dictionary<string, string?>();
            void Set(string key, string? value)
            {
                if (value is not null)
                {
                    overrides[BackendOptions.Section + ":" + key] = value;
                }
            }

            Set(nameof(BackendOptions.Loopback), parse.GetValue(loopback));
            Set(nameof(BackendOptions.Native), parse.GetValue(native) ? "true" : null);
            Set(nameof(BackendOptions.XenStore), parse.GetValue(xenStore));
            Set(nameof(BackendOptions.SocketGroup), parse.GetValue(group));
            Set(nameof(BackendOptions.SocketMode), parse.GetValue(mode));
            Set(nameof(BackendOptions.BytesPerSecond), parse.GetValue(rate)?.ToString(CultureInfo.InvariantCulture));
            Set(nameof(BackendOptions.EventsPerSecond), parse.GetValue(events)?.ToString(CultureInfo.InvariantCulture));
            IHost host;
            try
            {
                host = BackendHost.Build(parse.GetValue(config)?.FullName, overrides);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or FormatException)
            {
                throw new CliException($"cannot load the backend configuration: {e.Message}", e);
            }

            using (host)
            {
                await host.RunAsync(ct).ConfigureAwait(false);
            }

            return Environment.ExitCode;
        });
        return command;
    }
}
