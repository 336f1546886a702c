using GuestAgentKit.Loopback.Guest;
using GuestAgentKit.Loopback.Toolstack;
using GuestAgentKit.Loopback.XenStored;
using GuestAgentKit.XenStore;
using GuestAgentKit.Xen;
using GuestAgentKit.Xen.Platform;
using GuestAgentKit.Xen.Platform.Loopback;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GuestAgentKit.Loopback;

/// <summary>
/// A whole userspace Xen on one root directory (docs/loopback.md): a xenstored (embedded, or an external
/// one by socket), the loopback platform, a toolstack, and a guest kernel emulator for every domain
/// xenstored knows — started on <c>@introduceDomain</c> for each introduced domain with a marker, stopped on
/// <c>@releaseDomain</c>. Domains may be created by this process (<see cref="CreateDomainAsync"/>) or by
/// another (<c>gak-host loopback create</c>).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class LoopbackXen : IAsyncDisposable
{
    private readonly ILogger _logger;
    private readonly EmbeddedXenStored? _embedded;
    private readonly LoopbackPlatform _dom0Platform;
    private readonly XenStoreClient _dom0;
    private readonly Dictionary<DomainId, LoopbackGuest> _guests = [];
    private readonly SemaphoreSlim _reconcile = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly bool _createdRoot;
    private Task _watchLoop = Task.CompletedTask;

    private LoopbackXen(string root, bool createdRoot, EmbeddedXenStored? embedded, LoopbackPlatform dom0Platform, XenStoreClient dom0, string socketPath, ILogger logger)
    {
        Root = root;
        _createdRoot = createdRoot;
        _embedded = embedded;
        _dom0Platform = dom0Platform;
        _dom0 = dom0;
        XenStoreSocketPath = socketPath;
        _logger = logger;
        Toolstack = new LoopbackToolstack(root, dom0);
    }

    /// <summary>The loopback root R.</summary>
    public string Root { get; }

    /// <summary>Dom0's xenstore socket (what <c>XENSTORED_PATH</c> should name).</summary>
    public string XenStoreSocketPath { get; }

    /// <summary>The toolstack, over this instance's dom0 xenstore connection.</summary>
    public LoopbackToolstack Toolstack { get; }

    /// <summary>The domains whose guest kernel emulator runs now.</summary>
    public IReadOnlyList<DomainId> RunningGuests
    {
        get
        {
            lock (_guests)
            {
                return [.. _guests.Keys.OrderBy(d => d.Value)];
            }
        }
    }

    /// <summary>
    /// Starts the loopback on <paramref name="root"/> (created if missing): xenstored (unless external),
    /// the dom0 connection, and guests for domains already introduced.
    /// </summary>
    /// <param name="root">The loopback root R.</param>
    /// <param name="options">Options; defaults when null.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running loopback; dispose it to tear down.</returns>
    public static async Task<LoopbackXen> StartAsync(string root, LoopbackXenOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        root = Path.GetFullPath(root);
        var logger = options?.Logger ?? NullLogger.Instance;
        var createdRoot = !Directory.Exists(root);
        Directory.CreateDirectory(root);
        Directory.CreateDirectory(Path.Combine(root, "xenstored"));
        var platform = new LoopbackPlatform(root, DomainId.Dom0);
        EmbeddedXenStored? embedded = null;
        XenStoreClient? dom0 = null;
        try
        {
            var socket = options?.ExternalXenStoredSocket;
            if (socket is null)
            {
                socket = Path.Combine(root, "xenstored", "socket");
                embedded = new EmbeddedXenStored(new EmbeddedXenStoredOptions
                {
                    Logger = logger,
                    DomainConnector = (domain, _, port) => XenStoreRingConnector.Connect(platform, domain, port),
                });
                await embedded.StartAsync(socket, cancellationToken).ConfigureAwait(false);
            }

            dom0 = await XenStoreClient.ConnectAsync(XenStoreEndpoint.FromPath(socket), cancellationToken).ConfigureAwait(false);
            var xen = new LoopbackXen(root, createdRoot, embedded, platform, dom0, socket, logger);
            var introduce = await dom0.WatchAsync("@introduceDomain", token: null, cancellationToken).ConfigureAwait(false);
            var release = await dom0.WatchAsync("@releaseDomain", token: null, cancellationToken).ConfigureAwait(false);
            await xen.ReconcileAsync(cancellationToken).ConfigureAwait(false);
            xen._watchLoop = Task.WhenAll(xen.FollowAsync(introduce), xen.FollowAsync(release));
            return xen;
        }
        catch
        {
            if (dom0 is not null)
            {
                await dom0.DisposeAsync().ConfigureAwait(false);
            }

            if (embedded is not null)
            {
                await embedded.DisposeAsync().ConfigureAwait(false);
            }

            platform.Dispose();
            throw;
        }
    }

    /// <summary>Creates a domain (see <see cref="LoopbackToolstack.CreateDomainAsync"/>) and waits until its guest runs.</summary>
    /// <param name="name">The domain name.</param>
    /// <param name="uuid">The UUID; new when null.</param>
    /// <param name="cancellationToken">Cancels the creation.</param>
    /// <returns>The domain's entry, with its guest directory.</returns>
    public async Task<LoopbackDomainEntry> CreateDomainAsync(string name, Guid? uuid = null, CancellationToken cancellationToken = default)
    {
        var id = await Toolstack.CreateDomainAsync(name, uuid, cancellationToken).ConfigureAwait(false);
        await ReconcileAsync(cancellationToken).ConfigureAwait(false);
        var info = new LoopbackDomain(Root, id).ReadMarker()!;
        return new LoopbackDomainEntry(id, info, LoopbackToolstack.GuestDirectory(Root, id));
    }

    /// <summary>Stops the domain's guest and destroys the domain (see <see cref="LoopbackToolstack.DestroyDomainAsync"/>).</summary>
    /// <param name="domain">The domain.</param>
    /// <param name="cancellationToken">Cancels the xenstore requests.</param>
    /// <returns>False when the domain did not exist.</returns>
    public async Task<bool> DestroyDomainAsync(DomainId domain, CancellationToken cancellationToken = default)
    {
        await StopGuestAsync(domain).ConfigureAwait(false);
        return await Toolstack.DestroyDomainAsync(domain, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Tears down: stops every guest, destroys the domains, stops the embedded xenstored, and removes the
    /// root if this instance created it (else what it created under it).
    /// </summary>
    /// <returns>A task completing when done.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await _watchLoop.ConfigureAwait(false);
        foreach (var entry in LoopbackToolstack.ListDomains(Root))
        {
            await StopGuestAsync(entry.Id).ConfigureAwait(false);
            try
            {
                using var timeout = new CancellationTokenSource(Limits.LoopbackShutdownTimeout);
                await Toolstack.DestroyDomainAsync(entry.Id, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is XenStoreException or IOException or OperationCanceledException)
            {
                LoopbackLog.GuestFailed(_logger, entry.Id.ToString(), $"destroy on shutdown: {ex.Message}");
            }
        }

        foreach (var id in RunningGuests)
        {
            await StopGuestAsync(id).ConfigureAwait(false);
        }

        await _dom0.DisposeAsync().ConfigureAwait(false);
        if (_embedded is not null)
        {
            await _embedded.DisposeAsync().ConfigureAwait(false);
        }

        _dom0Platform.Dispose();
        var guests = Path.Combine(Root, "guests");
        if (_createdRoot)
        {
            Directory.Delete(Root, recursive: true);
        }
        else if (Directory.Exists(guests))
        {
            Directory.Delete(guests, recursive: true);
        }

        _stop.Dispose();
        _reconcile.Dispose();
    }

    private async Task FollowAsync(XsWatch watch)
    {
        var cancellationToken = _stop.Token;
        try
        {
            await foreach (var unused in watch.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                await ReconcileAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is XenStoreException or IOException)
        {
            LoopbackLog.GuestFailed(_logger, "*", $"watching {watch.Path}: {ex.Message}");
        }
    }

    /// <summary>Starts guests for introduced domains with markers and stops guests whose domain is gone.</summary>
    private async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        await _reconcile.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var wanted = new HashSet<DomainId>();
            foreach (var entry in LoopbackToolstack.ListDomains(Root))
            {
                if (await _dom0.IsDomainIntroducedAsync(entry.Id, cancellationToken).ConfigureAwait(false))
                {
                    wanted.Add(entry.Id);
                }
            }

            foreach (var gone in RunningGuests.Where(id => !wanted.Contains(id)))
            {
                await StopGuestAsync(gone).ConfigureAwait(false);
            }

            foreach (var id in wanted)
            {
                bool running;
                lock (_guests)
                {
                    running = _guests.ContainsKey(id);
                }

                if (running)
                {
                    continue;
                }

                try
                {
                    var guest = await LoopbackGuest.StartAsync(Root, id, _logger, cancellationToken).ConfigureAwait(false);
                    lock (_guests)
                    {
                        _guests.Add(id, guest);
                    }
                }
                catch (Exception ex) when (ex is XenPlatformException or IOException or XenStoreException or UnauthorizedAccessException)
                {
                    LoopbackLog.GuestFailed(_logger, id.ToString(), ex.Message);
                }
            }
        }
        finally
        {
            _reconcile.Release();
        }
    }

    private async Task StopGuestAsync(DomainId id)
    {
        LoopbackGuest? guest;
        lock (_guests)
        {
            _guests.Remove(id, out guest);
        }

        if (guest is not null)
        {
            await guest.DisposeAsync().ConfigureAwait(false);
        }
    }
}
