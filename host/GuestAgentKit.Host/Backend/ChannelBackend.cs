using System.Globalization;
using GuestAgentKit.Host.Provisioning;
using GuestAgentKit.Posix;
using GuestAgentKit.Xen;
using GuestAgentKit.Xen.Platform;
using GuestAgentKit.Xen.Rings;
using GuestAgentKit.XenStore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GuestAgentKit.Host.Backend;

/// <summary>
/// The channel backend: serves every console under <c>/local/domain/&lt;self&gt;/backend/console</c> whose
/// frontend <c>type</c> is <see cref="ChannelPaths.ChannelBackendType"/>, found through xenstore watches (at
/// start, on hotplug and unplug, on frontend state changes, on <c>@releaseDomain</c>); a watch event makes the
/// next pass look at the channel it names, not at every channel (<see cref="BackendWork"/>). Per channel it writes
/// InitWait, waits for the frontend's Initialised (or Connected, when reattaching after a restart), maps the
/// ring, binds the event channel, opens the socket or pty and goes Connected; it closes (Closing, Closed,
/// unbind, unmap, socket removed) on frontend Closing/Closed, node removal, domain death or a broken ring.
/// Consoles of any other type (QEMU's <c>ioemu</c>, <c>xenconsoled</c>) are never written to.
/// </summary>
public sealed partial class ChannelBackend : IAsyncDisposable
{
    private readonly XenStoreClient _xs;
    private readonly IXenPlatform _platform;
    private readonly BackendOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly FdPoller _poller;
    private readonly Dictionary<ChannelKey, ChannelState> _channels = [];
    private readonly BackendWork _work = new();
    private readonly int _socketMode;
    private readonly uint? _socketGroup;

    /// <summary>Creates the backend.</summary>
    /// <param name="xenStore">A privileged xenstore connection; not owned.</param>
    /// <param name="platform">Grant mapping and event channels; not owned.</param>
    /// <param name="options">Socket mode/group and rate limits.</param>
    /// <param name="logger">Where to log; null for none.</param>
    /// <param name="time">The clock for rate limits; null for the system clock.</param>
    /// <exception cref="FormatException">A bad socket mode.</exception>
    /// <exception cref="SocketPathException">An unknown socket group.</exception>
    public ChannelBackend(XenStoreClient xenStore, IXenPlatform platform, BackendOptions options, ILogger? logger = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(xenStore);
        ArgumentNullException.ThrowIfNull(platform);
        ArgumentNullException.ThrowIfNull(options);
        _xs = xenStore;
        _platform = platform;
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
        _poller = FdPoller.Shared;
        _socketMode = options.ParseSocketMode();
        _socketGroup = options.SocketGroup is { Length: > 0 } g ? SafeUnixSocket.ResolveGroup(g) : null;
    }

    /// <summary>Raised (on the backend's loop) after each pass over xenstore; tests wait on it.</summary>
    public event EventHandler? Reconciled;

    /// <summary>Channels currently connected (ring mapped, proxy running).</summary>
    public IReadOnlyList<ChannelKey> Connected
    {
        get
        {
            lock (_channels)
            {
                return [.. _channels.Values.Where(c => c.Phase == ChannelPhase.Connected).Select(c => c.Key)];
            }
        }
    }

    private string Root => ChannelPaths.BackendRoot(_platform.Self);

    /// <summary>Serves channels until cancelled, then closes every channel it opened (leaving xenstore
    /// states as they are, so a restarted backend reattaches).</summary>
    /// <param name="cancellationToken">Stops the backend.</param>
    /// <returns>A task completing when stopped.</returns>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var backendWatch = await _xs.WatchAsync(Root, cancellationToken: cancellationToken).ConfigureAwait(false);
        var releaseWatch = await _xs.WatchAsync("@releaseDomain", cancellationToken: cancellationToken).ConfigureAwait(false);
        var forwarders = new[]
        {
            ForwardAsync(backendWatch, BackendEvent, cancellationToken),
            ForwardAsync(releaseWatch, ReleaseEvent, cancellationToken),
        };
        Log.Started(_logger, Root, _platform.Self);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var next = _work.Next;
                await ReconcileAsync(cancellationToken).ConfigureAwait(false);
                Reconciled?.Invoke(this, EventArgs.Empty);
                var woke = await Task.WhenAny(next, forwarders[0], forwarders[1]).WaitAsync(cancellationToken).ConfigureAwait(false);
                if (woke != next && !cancellationToken.IsCancellationRequested)
                {
                    throw new XenStoreConnectionClosedException("the xenstore connection closed under the backend's watches");
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            await backendWatch.DisposeAsync().ConfigureAwait(false);
            await releaseWatch.DisposeAsync().ConfigureAwait(false);
            await Task.WhenAll(forwarders).ConfigureAwait(false);
            await CloseAllAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Closes every channel (as on shutdown).</summary>
    /// <returns>A task completing when closed.</returns>
    public ValueTask DisposeAsync() => new(CloseAllAsync());

    private async Task CloseAllAsync()
    {
        List<ChannelState> all;
        lock (_channels)
        {
            all = [.. _channels.Values];
            _channels.Clear();
        }

        foreach (var channel in all)
        {
            await ReleaseAsync(channel).ConfigureAwait(false);
            if (channel.FrontendWatch is { } w)
            {
                await w.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task ForwardAsync(XsWatch watch, Action<string, bool> mark, CancellationToken ct)
    {
        var first = true;
        try
        {
            // Only marking here (no I/O), so the watch's bounded queue never fills.
            await foreach (var watchEvent in watch.WithCancellation(ct).ConfigureAwait(false))
            {
                mark(watchEvent.Path, first);
                first = false;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or XenStoreConnectionClosedException or IOException)
        {
        }
    }

    /// <summary>A change under the backend root: a node of one device names that device; a domain's directory may
    /// add or remove that domain's devices; anything else (the root) may add or remove any.</summary>
    private void BackendEvent(string path, bool first)
    {
        if (first || !TryParseBackendPath(path, out var domain, out var key))
        {
            _work.Rescan();
        }
        else if (key is { } device)
        {
            _work.Channel(device);
        }
        else
        {
            _work.Domain(domain);
        }
    }

    /// <summary>Every watch fires once when registered; that first @releaseDomain is not a death.</summary>
    private void ReleaseEvent(string path, bool first)
    {
        if (!first)
        {
            _work.DomainReleased();
        }
    }

    /// <summary>Parses <c>Root/&lt;domain&gt;</c> (no key) or <c>Root/&lt;domain&gt;/&lt;devid&gt;[/...]</c>.</summary>
    private bool TryParseBackendPath(string path, out DomainId domain, out ChannelKey? key)
    {
        domain = default;
        key = null;
        if (!path.StartsWith(Root + "/", StringComparison.Ordinal))
        {
            return false;
        }

        var parts = path[(Root.Length + 1)..].Split('/', 3);
        if (!DomainId.TryParse(parts[0], out domain))
        {
            return false;
        }

        if (parts.Length == 1)
        {
            return true;
        }

        if (!ChannelPaths.TryParseDevid(parts[1], out var devid))
        {
            return false;
        }

        key = new ChannelKey(domain, devid);
        return true;
    }

    private async Task ReconcileAsync(CancellationToken ct)
    {
        var (rescan, domains, released, keys) = _work.Take();
        // The devices of every domain (a rescan) or of the domains whose backend directory changed.
        var present = rescan || domains.Count > 0 ? await ListDevicesAsync(rescan ? null : domains, ct).ConfigureAwait(false) : null;
        bool Listed(ChannelKey key) => rescan || domains.Contains(key.Domain);
        List<ChannelState> gone = [];
        lock (_channels)
        {
            if (present is not null)
            {
                // Devices not seen before are looked at; the listed ones that are there no more are gone; the others
                // wait for their own events.
                gone.AddRange(_channels.Values.Where(c => Listed(c.Key) && !present.Contains(c.Key)));
                keys.UnionWith(present.Where(k => !_channels.ContainsKey(k)));
            }

            if (released)
            {
                keys.UnionWith(_channels.Keys); // each checks whether the dead domain was its own
            }

            if (present is not null)
            {
                keys.RemoveWhere(k => Listed(k) && !present.Contains(k));
            }
        }

        // Channels are independent: step several at once, so a thousand appearing together do not wait out each
        // other's xenstore round trips one by one.
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Limits.BackendStepsInFlight, CancellationToken = ct };
        await Parallel.ForEachAsync(keys, parallel, async (key, token) =>
        {
            if (await ReconcileAsync(key, Listed(key), released, token).ConfigureAwait(false) is { } removed)
            {
                lock (gone)
                {
                    gone.Add(removed);
                }
            }
        }).ConfigureAwait(false);

        lock (_channels)
        {
            foreach (var channel in gone)
            {
                _channels.Remove(channel.Key);
            }
        }

        foreach (var channel in gone)
        {
            Log.Unplugged(_logger, channel.Key);
            await ReleaseAsync(channel).ConfigureAwait(false);
            if (channel.FrontendWatch is { } w)
            {
                await w.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Looks at one channel: discovers it if new, else steps it; returns it when its backend directory is gone.</summary>
    private async Task<ChannelState?> ReconcileAsync(ChannelKey key, bool listed, bool released, CancellationToken ct)
    {
        ChannelState? channel;
        lock (_channels)
        {
            _channels.TryGetValue(key, out channel);
        }

        try
        {
            var backendPath = ChannelPaths.Backend(_platform.Self, key.Domain, key.Devid);
            if (!listed && await _xs.ReadAsync(backendPath, ct).ConfigureAwait(false) is null)
            {
                return channel; // its backend directory was removed (hot-unplug)
            }

            channel ??= await DiscoverAsync(key, ct).ConfigureAwait(false);
            if (channel is not null)
            {
                await StepAsync(channel, released, ct).ConfigureAwait(false);
            }
        }
        catch (XenStoreException e)
        {
            Log.StepFailed(_logger, key, e.Message);
        }

        return null;
    }

    /// <summary>The device directories under the backend root, of every domain or of <paramref name="only"/> these.</summary>
    private async Task<HashSet<ChannelKey>> ListDevicesAsync(IReadOnlyCollection<DomainId>? only, CancellationToken ct)
    {
        var domains = only?.ToList() ?? [];
        if (only is null)
        {
            foreach (var domText in await _xs.DirectoryAsync(Root, ct).ConfigureAwait(false))
            {
                if (DomainId.TryParse(domText, out var domain))
                {
                    domains.Add(domain);
                }
            }
        }

        var present = new HashSet<ChannelKey>();
        foreach (var domain in domains)
        {
            foreach (var devText in await _xs.DirectoryAsync(Root + "/" + domain, ct).ConfigureAwait(false))
            {
                if (ChannelPaths.TryParseDevid(devText, out var devid))
                {
                    present.Add(new ChannelKey(domain, devid));
                }
            }
        }

        return present;
    }

    private async Task<ChannelState?> DiscoverAsync(ChannelKey key, CancellationToken ct)
    {
        var front = ChannelPaths.Frontend(key.Domain, key.Devid);
        if (await _xs.ReadAsync(front + "/type", ct).ConfigureAwait(false) != ChannelPaths.ChannelBackendType)
        {
            return null; // ioemu, xenconsoled, or not there yet: never touch it
        }

        var channel = new ChannelState(key, front, ChannelPaths.Backend(_platform.Self, key.Domain, key.Devid));
        channel.FrontendWatch = await _xs.WatchAsync(front, cancellationToken: ct).ConfigureAwait(false);
        _ = ForwardAsync(channel.FrontendWatch, (_, _) => _work.Channel(key), ct);
        lock (_channels)
        {
            _channels[key] = channel;
        }

        Log.Discovered(_logger, key);
        return channel;
    }

    private async Task StepAsync(ChannelState channel, bool released, CancellationToken ct)
    {
        var states = await ReadAllAsync([channel.BackendPath + "/state", channel.FrontendPath + "/state"], ct).ConfigureAwait(false);
        if (channel.Phase != ChannelPhase.New && ChannelProvisioner.ParseState(states[0]) == XenbusState.Initialising)
        {
            // Only the toolstack writes Initialising there (a fresh device); this backend never does. So the device
            // was removed and provisioned again under the same devid between two of our passes, and what we hold
            // (phase, mapping, socket) belongs to the old one.
            Log.Replaced(_logger, channel.Key);
            await ReleaseAsync(channel).ConfigureAwait(false);
            channel.Phase = ChannelPhase.New;
        }

        var frontState = ChannelProvisioner.ParseState(states[1]);
        switch (channel.Phase)
        {
            case ChannelPhase.Connected:
                if (channel.Proxy!.Failed.IsCompleted)
                {
                    Log.Broken(_logger, channel.Key, await channel.Proxy.Failed.ConfigureAwait(false));
                    await CloseAsync(channel, ChannelPhase.Failed, ct).ConfigureAwait(false);
                }
                else if (frontState is null or XenbusState.Closing or XenbusState.Closed)
                {
                    Log.FrontendClosed(_logger, channel.Key, frontState?.ToString() ?? "gone");
                    await CloseAsync(channel, ChannelPhase.Closed, ct).ConfigureAwait(false);
                }
                else if (released && channel.WasIntroduced && !await _xs.IsDomainIntroducedAsync(channel.Key.Domain, ct).ConfigureAwait(false))
                {
                    Log.DomainGone(_logger, channel.Key);
                    await CloseAsync(channel, ChannelPhase.Closed, ct).ConfigureAwait(false);
                }

                return;
            case ChannelPhase.Failed:
                return;
            case ChannelPhase.Closed when frontState is XenbusState.Initialising or XenbusState.InitWait or XenbusState.Initialised:
                channel.Phase = ChannelPhase.New; // the guest re-opened the device (reboot, resume)
                break;
            case ChannelPhase.Closed:
                return;
        }

        if (channel.Phase == ChannelPhase.New)
        {
            await WriteStateAsync(channel, XenbusState.InitWait, ct).ConfigureAwait(false);
            channel.Phase = ChannelPhase.Waiting;
        }

        if (frontState is XenbusState.Initialised or XenbusState.Connected)
        {
            await ConnectAsync(channel, ct).ConfigureAwait(false);
        }
    }

    private async Task ConnectAsync(ChannelState channel, CancellationToken ct)
    {
        var key = channel.Key;
        var nodes = await ReadAllAsync(
            [channel.FrontendPath + "/ring-ref", channel.FrontendPath + "/port", channel.BackendPath + "/connection", channel.BackendPath + "/path"],
            ct).ConfigureAwait(false);
        var (ringRefText, portText, connection, path) = (nodes[0], nodes[1], nodes[2], nodes[3]);
        if (!TryParseUInt(ringRefText, out var ringRef) || !TryParseUInt(portText, out var port) || port == 0)
        {
            Log.BadFrontend(_logger, key, Quote(ringRefText), Quote(portText));
            await CloseAsync(channel, ChannelPhase.Failed, ct).ConfigureAwait(false);
            return;
        }

        SafeUnixSocket? listener = null;
        Pty? pty = null;
        try
        {
            channel.Mapping = _platform.MapGrant(key.Domain, new GrantRef(ringRef));
            channel.Events = _platform.BindInterdomain(key.Domain, new EventChannelPort(port));
            switch (connection)
            {
                case "socket" when path is not null:
                    listener = SafeUnixSocket.Listen(path, _socketMode, _socketGroup);
                    break;
                case "pty":
                    pty = Pty.Open(holdSlaveOpen: true, _poller);
                    pty.MakeRaw();
                    await _xs.WriteAsync(channel.FrontendPath + "/tty", pty.SlavePath, ct).ConfigureAwait(false);
                    await _xs.SetPermissionsAsync(channel.FrontendPath + "/tty", [new(XsAccess.None, _platform.Self), new(XsAccess.Read, key.Domain)], ct).ConfigureAwait(false);
                    break;
                default:
                    throw new SocketPathException($"backend connection \"{connection}\" (path \"{path}\") is neither socket with a path nor pty");
            }

            channel.WasIntroduced = await _xs.IsDomainIntroducedAsync(key.Domain, ct).ConfigureAwait(false);
            channel.Proxy = new ChannelProxy(key, ConsoleRing.Backend(channel.Mapping.Page), channel.Events, listener, pty, _options, _logger, _time, _poller);
            _ = channel.Proxy.Failed.ContinueWith(_ => _work.Channel(key), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            channel.Phase = ChannelPhase.Connected;
            await WriteStateAsync(channel, XenbusState.Connected, ct).ConfigureAwait(false);
            Log.ChannelConnected(_logger, key, ringRef, port, channel.Events.LocalPort.Value, connection == "pty" ? pty!.SlavePath : path!);
        }
        catch (Exception e) when (e is XenPlatformException or SocketPathException or PosixException or IOException or System.Net.Sockets.SocketException)
        {
            listener?.Dispose();
            pty?.Dispose();
            Log.ConnectFailed(_logger, key, e.Message);
            await CloseAsync(channel, ChannelPhase.Failed, ct).ConfigureAwait(false);
        }
    }

    private async Task CloseAsync(ChannelState channel, ChannelPhase phase, CancellationToken ct)
    {
        await WriteStateAsync(channel, XenbusState.Closing, ct).ConfigureAwait(false);
        await ReleaseAsync(channel).ConfigureAwait(false);
        await WriteStateAsync(channel, XenbusState.Closed, ct).ConfigureAwait(false);
        channel.Phase = phase;
    }

    private static async Task ReleaseAsync(ChannelState channel)
    {
        if (channel.Proxy is { } proxy)
        {
            await proxy.DisposeAsync().ConfigureAwait(false);
            channel.Proxy = null;
        }

        channel.Events?.Dispose();
        channel.Events = null;
        channel.Mapping?.Dispose();
        channel.Mapping = null;
    }

    private async Task WriteStateAsync(ChannelState channel, XenbusState state, CancellationToken ct)
    {
        // Only while the backend directory exists: writing into a removed device would recreate it. Checked and
        // written in one transaction: the toolstack removes the directory right after releasing a dead domain,
        // and a plain read-then-write lost that race, leaving a stale `state` that made the next domain with the
        // same domid get devid 2 (found by Faults/DomainDestroyTests).
        var path = channel.BackendPath + "/state";
        var text = ChannelProvisioner.StateText(state);
        await _xs.TransactAsync(
            async (tx, token) =>
            {
                if (await tx.ReadAsync(path, token).ConfigureAwait(false) is null)
                {
                    return false;
                }

                await tx.WriteAsync(path, text, token).ConfigureAwait(false);
                return true;
            },
            cancellationToken: ct).ConfigureAwait(false);
    }

    /// <summary>Reads several nodes with their requests in flight together: one round trip's wait, not one each.</summary>
    private async Task<string?[]> ReadAllAsync(string[] paths, CancellationToken ct) =>
        await Task.WhenAll(paths.Select(path => _xs.ReadAsync(path, ct))).ConfigureAwait(false);

    private static bool TryParseUInt(string? text, out uint value)
    {
        value = 0;
        return text is { Length: > 0 and <= 10 } && uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    private static string Quote(string? text) =>
        text is null ? "(missing)" : "\"" + new string([.. text.Take(16).Select(c => char.IsAsciiLetterOrDigit(c) ? c : '?')]) + "\"";

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "backend started: watching {Root} as domain {Self}")]
        public static partial void Started(ILogger logger, string root, DomainId self);

        [LoggerMessage(Level = LogLevel.Information, Message = "channel {Key}: discovered")]
        public static partial void Discovered(ILogger logger, ChannelKey key);

        [LoggerMessage(Level = LogLevel.Information, Message = "channel {Key}: connected (ring-ref {RingRef}, remote port {Port}, local port {LocalPort}) at {Where}")]
        public static partial void ChannelConnected(ILogger logger, ChannelKey key, uint ringRef, uint port, uint localPort, string where);

        [LoggerMessage(Level = LogLevel.Warning, Message = "channel {Key}: frontend published unusable ring-ref {RingRef} / port {Port}; channel closed")]
        public static partial void BadFrontend(ILogger logger, ChannelKey key, string ringRef, string port);

        [LoggerMessage(Level = LogLevel.Warning, Message = "channel {Key}: cannot connect: {Reason}; channel closed")]
        public static partial void ConnectFailed(ILogger logger, ChannelKey key, string reason);

        [LoggerMessage(Level = LogLevel.Warning, Message = "channel {Key}: broken ring ({Reason}); channel closed")]
        public static partial void Broken(ILogger logger, ChannelKey key, string reason);

        [LoggerMessage(Level = LogLevel.Information, Message = "channel {Key}: frontend {State}; channel closed")]
        public static partial void FrontendClosed(ILogger logger, ChannelKey key, string state);

        [LoggerMessage(Level = LogLevel.Information, Message = "channel {Key}: domain is gone; channel closed")]
        public static partial void DomainGone(ILogger logger, ChannelKey key);

        [LoggerMessage(Level = LogLevel.Information, Message = "channel {Key}: provisioned again under the same devid; serving the new device")]
        public static partial void Replaced(ILogger logger, ChannelKey key);

        [LoggerMessage(Level = LogLevel.Information, Message = "channel {Key}: unplugged; channel closed")]
        public static partial void Unplugged(ILogger logger, ChannelKey key);

        [LoggerMessage(Level = LogLevel.Warning, Message = "channel {Key}: xenstore error: {Reason}")]
        public static partial void StepFailed(ILogger logger, ChannelKey key, string reason);
    }
}
