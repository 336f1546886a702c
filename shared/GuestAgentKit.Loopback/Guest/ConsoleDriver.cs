using GuestAgentKit.XenStore;
using GuestAgentKit.Xen.Platform.Loopback;
using Microsoft.Extensions.Logging;

namespace GuestAgentKit.Loopback.Guest;

/// <summary>
/// The emulated guest's hvc_xen driver for secondary consoles: a xenstore client on the guest's own
/// xenbus socket (relative paths, the domain's permissions) that watches <c>device/console</c> and runs a
/// <see cref="ConsoleFrontend"/> for each console N in 1..9 (hvc_xen takes the devid from the last
/// character of the node name, so only single digits work; console 0 is the primary, served apart).
/// </summary>
internal sealed class ConsoleDriver : IAsyncDisposable
{
    private readonly XenStoreClient _xs;
    private readonly LoopbackDomain _domain;
    private readonly string _guestDirectory;
    private readonly ILogger _logger;
    private readonly HvcSlots _slots = new();
    private readonly Dictionary<int, ConsoleFrontend> _consoles = [];
    private readonly CancellationTokenSource _stop = new();
    private Task _run = Task.CompletedTask;

    private ConsoleDriver(XenStoreClient xs, LoopbackDomain domain, string guestDirectory, ILogger logger)
    {
        _xs = xs;
        _domain = domain;
        _guestDirectory = guestDirectory;
        _logger = logger;
    }

    public static async Task<ConsoleDriver> StartAsync(string xenbusPath, LoopbackDomain domain, string guestDirectory, ILogger logger, CancellationToken cancellationToken)
    {
        var xs = await XenStoreClient.ConnectAsync(XenStoreEndpoint.FromPath(xenbusPath), cancellationToken).ConfigureAwait(false);
        var driver = new ConsoleDriver(xs, domain, guestDirectory, logger);
        try
        {
            var watch = await xs.WatchAsync("device/console", token: null, cancellationToken).ConfigureAwait(false);
            driver._run = driver.RunAsync(watch);
            return driver;
        }
        catch
        {
            await xs.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await _run.ConfigureAwait(false);
        foreach (var console in _consoles.Values)
        {
            await console.DisposeAsync().ConfigureAwait(false);
        }

        _consoles.Clear();
        await _xs.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task RunAsync(XsWatch watch)
    {
        var cancellationToken = _stop.Token;
        try
        {
            var events = watch.GetAsyncEnumerator(cancellationToken);
            try
            {
                var next = events.MoveNextAsync().AsTask(); // a Task: looked at, then awaited
                while (await next.ConfigureAwait(false))
                {
                    // Events only say "look again": one rescan answers every event already queued. A channel add fires
                    // one per node it writes (twenty or so), and a directory read each cost a xenbus round trip.
                    do
                    {
                        next = events.MoveNextAsync().AsTask();
                    }
                    while (next.IsCompletedSuccessfully && next.Result);

                    await RescanAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                await events.DisposeAsync().ConfigureAwait(false);
                await watch.DisposeAsync().ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (XenStoreConnectionClosedException ex)
        {
            // The guest's xenbus went away: the domain is stopping (its ring failing is logged by the multiplexer).
            LoopbackLog.StoppedWithXenbus(_logger, _domain.Id.ToString(), "console driver", ex.Message);
        }
        catch (Exception ex) when (ex is XenStoreException or IOException)
        {
            LoopbackLog.GuestFailed(_logger, _domain.Id.ToString(), $"console driver: {ex.Message}");
        }
    }

    private async Task RescanAsync(CancellationToken cancellationToken)
    {
        var present = new HashSet<int>();
        foreach (var name in await _xs.DirectoryAsync("device/console", cancellationToken).ConfigureAwait(false))
        {
            if (name is [var digit] && digit is >= '1' and <= '9')
            {
                present.Add(digit - '0');
            }
        }

        foreach (var gone in _consoles.Keys.Where(devid => !present.Contains(devid)).ToList())
        {
            var console = _consoles[gone];
            _consoles.Remove(gone);
            await console.DisposeAsync().ConfigureAwait(false);
        }

        // In devid order, as a boot-time probe would find them: hvc lines follow probe order.
        foreach (var devid in present.Order())
        {
            if (!_consoles.ContainsKey(devid))
            {
                if (_slots.Take() is not { } line)
                {
                    LoopbackLog.ConsoleFailed(_logger, _domain.Id.ToString(), devid, $"no free hvc line (all {Limits.LoopbackHvcLines} taken)");
                    continue;
                }

                var console = new ConsoleFrontend(_xs, _domain, devid, line, _slots, _guestDirectory, _logger);
                _consoles.Add(devid, console);
                console.Start();
            }
        }
    }
}
