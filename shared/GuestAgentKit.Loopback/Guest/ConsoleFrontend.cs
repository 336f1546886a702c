using System.Globalization;
using GuestAgentKit.XenStore;
using GuestAgentKit.Xen;
using GuestAgentKit.Xen.Platform;
using GuestAgentKit.Xen.Platform.Loopback;
using GuestAgentKit.Xen.Rings;
using Microsoft.Extensions.Logging;

namespace GuestAgentKit.Loopback.Guest;

/// <summary>
/// The hvc_xen frontend of one secondary console <c>device/console/N</c>: allocates a zeroed page and an
/// unbound port for the backend domain, publishes <c>ring-ref</c> and <c>port</c> in a transaction and
/// goes Initialised; follows the backend to Connected; hangs the tty up when the backend closes. A
/// backend that comes back to InitWait/Initialised while we were connected (a restarted backend) gets
/// the handshake again on the SAME page and port, so the tty and unread ring bytes survive.
/// </summary>
internal sealed class ConsoleFrontend : IAsyncDisposable
{
    private readonly XenStoreClient _xs;
    private readonly LoopbackDomain _domain;
    private readonly int _devid;
    private readonly int _line;
    private readonly HvcSlots _slots;
    private readonly string _guestDirectory;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private Task _run = Task.CompletedTask;
    private Session? _session;

    /// <summary>A frontend for console <paramref name="devid"/> on hvc line <paramref name="line"/>, which it frees when disposed.</summary>
    public ConsoleFrontend(XenStoreClient xs, LoopbackDomain domain, int devid, int line, HvcSlots slots, string guestDirectory, ILogger logger)
    {
        _xs = xs;
        _domain = domain;
        _devid = devid;
        _line = line;
        _slots = slots;
        _guestDirectory = guestDirectory;
        _logger = logger;
    }

    private string Node => string.Create(CultureInfo.InvariantCulture, $"device/console/{_devid}");

    public void Start() => _run = RunAsync(_stop.Token);

    /// <summary>Console removed or guest stopping: hang up and free the page and port.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await _run.ConfigureAwait(false);
        await CloseAsync("console removed", writeState: false).ConfigureAwait(false);
        _slots.Free(_line);
        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            var backend = await _xs.ReadAsync($"{Node}/backend", cancellationToken).ConfigureAwait(false);
            var backendIdText = await _xs.ReadAsync($"{Node}/backend-id", cancellationToken).ConfigureAwait(false);
            if (backend is null || !DomainId.TryParse(backendIdText, out var backendId))
            {
                LoopbackLog.ConsoleFailed(_logger, _domain.Id.ToString(), _devid, "no backend or backend-id node");
                return;
            }

            await OpenAsync(backendId, cancellationToken).ConfigureAwait(false);
            var watch = await _xs.WatchAsync($"{backend}/state", token: null, cancellationToken).ConfigureAwait(false);
            try
            {
                await foreach (var unused in watch.WithCancellation(cancellationToken).ConfigureAwait(false))
                {
                    var stateText = await _xs.ReadAsync($"{backend}/state", cancellationToken).ConfigureAwait(false);
                    if (!int.TryParse(stateText, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
                    {
                        continue;
                    }

                    var state = (XenbusState)value;
                    LoopbackLog.BackendState(_logger, _domain.Id.ToString(), _devid, state.ToString());
                    await OnBackendStateAsync(state, backendId, cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                await watch.DisposeAsync().ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (XenStoreConnectionClosedException ex)
        {
            // The guest's xenbus went away: the domain is stopping (its ring failing is logged by the multiplexer).
            LoopbackLog.StoppedWithXenbus(_logger, _domain.Id.ToString(), string.Create(CultureInfo.InvariantCulture, $"console {_devid}"), ex.Message);
        }
        catch (Exception ex) when (ex is XenStoreException or IOException or XenPlatformException or UnauthorizedAccessException)
        {
            LoopbackLog.ConsoleFailed(_logger, _domain.Id.ToString(), _devid, ex.Message);
        }
    }

    private async Task OnBackendStateAsync(XenbusState state, DomainId backendId, CancellationToken cancellationToken)
    {
        switch (state)
        {
            case XenbusState.Connected when _session is { State: XenbusState.Initialised }:
                await SetStateAsync(XenbusState.Connected, cancellationToken).ConfigureAwait(false);
                break;
            case XenbusState.Closing or XenbusState.Closed when _session is not null:
                await CloseAsync($"backend {state}", writeState: true).ConfigureAwait(false);
                break;
            case XenbusState.InitWait or XenbusState.Initialised when _session is null:
                await OpenAsync(backendId, cancellationToken).ConfigureAwait(false);
                break;
            case XenbusState.InitWait or XenbusState.Initialised when _session is { State: XenbusState.Connected }:
                // A restarted backend: hand it the same page and port again.
                await PublishAsync(_session, cancellationToken).ConfigureAwait(false);
                break;
        }
    }

    private async Task OpenAsync(DomainId backendId, CancellationToken cancellationToken)
    {
        var line = _line;
        IGrantMapping? mapping = null;
        IEventChannel? channel = null;
        GrantRef grant = default;
        try
        {
            (grant, mapping) = _domain.GrantPage(backendId);
            channel = _domain.AllocateUnbound(backendId);
            var device = Path.Combine(_guestDirectory, string.Create(CultureInfo.InvariantCulture, $"hvc{line}"));
            var console = HvcConsole.Open(ConsoleRing.Frontend(mapping.Page), channel, device);
            _session = new Session(grant, mapping, channel, console);
            LoopbackLog.ConsoleUp(_logger, _domain.Id.ToString(), _devid, device, console.SlavePath);
        }
        catch
        {
            channel?.Dispose();
            if (mapping is not null)
            {
                mapping.Dispose();
                _domain.EndGrant(grant);
            }

            throw;
        }

        await PublishAsync(_session, cancellationToken).ConfigureAwait(false);
    }

    private async Task PublishAsync(Session session, CancellationToken cancellationToken)
    {
        await _xs.TransactAsync(
            async (tx, ct) =>
            {
                await tx.WriteAsync($"{Node}/ring-ref", session.Grant.ToString(), ct).ConfigureAwait(false);
                await tx.WriteAsync($"{Node}/port", session.Channel.LocalPort.ToString(), ct).ConfigureAwait(false);
                await tx.WriteAsync($"{Node}/state", ((int)XenbusState.Initialised).ToString(CultureInfo.InvariantCulture), ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken: cancellationToken).ConfigureAwait(false);
        session.State = XenbusState.Initialised;
    }

    private async Task SetStateAsync(XenbusState state, CancellationToken cancellationToken)
    {
        await _xs.WriteAsync($"{Node}/state", ((int)state).ToString(CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
        _session!.State = state;
    }

    private async Task CloseAsync(string reason, bool writeState)
    {
        if (_session is not { } session)
        {
            return;
        }

        _session = null;
        await session.Console.DisposeAsync().ConfigureAwait(false);
        LoopbackLog.ConsoleDown(_logger, _domain.Id.ToString(), _devid, reason);
        if (writeState)
        {
            try
            {
                await _xs.WriteAsync($"{Node}/state", ((int)XenbusState.Closing).ToString(CultureInfo.InvariantCulture), _stop.Token).ConfigureAwait(false);
                await _xs.WriteAsync($"{Node}/state", ((int)XenbusState.Closed).ToString(CultureInfo.InvariantCulture), _stop.Token).ConfigureAwait(false);
            }
            catch (XenStoreException ex)
            {
                LoopbackLog.ConsoleFailed(_logger, _domain.Id.ToString(), _devid, ex.Message);
            }
        }

        DomainResources.Release(session.Channel);
        DomainResources.Release(session.Mapping);
        DomainResources.Release(() => _domain.EndGrant(session.Grant));
    }

    private sealed class Session(GrantRef grant, IGrantMapping mapping, IEventChannel channel, HvcConsole console)
    {
        public GrantRef Grant { get; } = grant;

        public IGrantMapping Mapping { get; } = mapping;

        public IEventChannel Channel { get; } = channel;

        public HvcConsole Console { get; } = console;

        public XenbusState State { get; set; } = XenbusState.Initialising;
    }
}
