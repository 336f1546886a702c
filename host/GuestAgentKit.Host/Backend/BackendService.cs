using GuestAgentKit.Xen;
using GuestAgentKit.Xen.Platform;
using GuestAgentKit.Xen.Platform.Loopback;
using GuestAgentKit.Xen.Platform.Native;
using GuestAgentKit.XenStore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GuestAgentKit.Host.Backend;

/// <summary>
/// Runs <see cref="ChannelBackend"/> inside a generic host. A fault stops the host with exit code 1
/// (a faulted BackgroundService alone would let the process exit 0, and systemd would not restart it).
/// </summary>
internal sealed partial class BackendService(
    IOptions<BackendOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<ChannelBackend> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var settings = options.Value;
            using var platform = OpenPlatform(settings);
            var endpoint = settings.XenStore is { Length: > 0 } path ? XenStoreEndpoint.FromPath(path)
                : settings.Loopback is { } root ? XenStoreEndpoint.FromPath(Path.Combine(Path.GetFullPath(root), "xenstored", "socket"))
                : XenStoreEndpoint.Dom0Default();
            var xs = await XenStoreClient.ConnectAsync(endpoint, stoppingToken).ConfigureAwait(false);
            await using (xs.ConfigureAwait(false))
            {
                var backend = new ChannelBackend(xs, platform, settings, logger);
                await using (backend.ConfigureAwait(false))
                {
                    await backend.RunAsync(stoppingToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            Log.Fatal(logger, e.Message, e);
            Environment.ExitCode = 1;
            lifetime.StopApplication();
        }
    }

    private static IXenPlatform OpenPlatform(BackendOptions settings) => (settings.Loopback, settings.Native) switch
    {
        ({ Length: > 0 } root, false) => new LoopbackPlatform(root, DomainId.Dom0),
        (null or "", true) => NativeXenPlatform.Open(),
        ({ Length: > 0 }, true) => throw new InvalidOperationException("configure either Loopback or Native, not both"),
        _ => throw new InvalidOperationException("no platform configured: give --loopback R or --native (Backend:Loopback / Backend:Native)"),
    };

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Critical, Message = "backend stopped by a fatal error: {Reason}")]
        public static partial void Fatal(ILogger logger, string reason, Exception exception);
    }
}
