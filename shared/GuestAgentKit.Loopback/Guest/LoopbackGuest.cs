using GuestAgentKit.Loopback.Toolstack;
using GuestAgentKit.Xen;
using GuestAgentKit.Xen.Platform;
using GuestAgentKit.Xen.Platform.Loopback;
using GuestAgentKit.Xen.Rings;
using Microsoft.Extensions.Logging;

namespace GuestAgentKit.Loopback.Guest;

/// <summary>
/// The guest kernel emulator of one loopback domain: its xenbus driver (the domain side of the xenstore
/// ring, shared by processes on <c>R/guests/&lt;D&gt;/xenbus</c>), its primary console as <c>hvc0</c>
/// (grant ref 0 and the marker's console port, served by xenconsoled when one runs), and the hvc_xen
/// driver for secondary consoles. Disposing stops it all and removes <c>R/guests/&lt;D&gt;</c>.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class LoopbackGuest : IAsyncDisposable
{
    private readonly XenbusMultiplexer _xenbus;
    private readonly HvcConsole? _primary;
    private readonly IEventChannel? _primaryChannel;
    private readonly IGrantMapping? _primaryPage;
    private readonly ConsoleDriver _consoles;
    private readonly IEventChannel _xenstoreChannel;
    private readonly IGrantMapping _xenstorePage;
    private readonly ILogger _logger;
    private int _disposed;

    private LoopbackGuest(
        DomainId id,
        string directory,
        (XenbusMultiplexer Xenbus, IEventChannel Channel, IGrantMapping Page) xenstore,
        (HvcConsole, IEventChannel, IGrantMapping)? primary,
        ConsoleDriver consoles,
        ILogger logger)
    {
        Id = id;
        Directory = directory;
        (_xenbus, _xenstoreChannel, _xenstorePage) = xenstore;
        (_primary, _primaryChannel, _primaryPage) = primary ?? default;
        _consoles = consoles;
        _logger = logger;
    }

    /// <summary>The domain.</summary>
    public DomainId Id { get; }

    /// <summary><c>R/guests/&lt;D&gt;</c>.</summary>
    public string Directory { get; }

    /// <summary>The xenbus socket, <c>R/guests/&lt;D&gt;/xenbus</c>.</summary>
    public string XenbusPath => _xenbus.SocketPath;

    /// <summary>
    /// Boots the emulated kernel of an existing domain (its marker names its xenstore and console ports,
    /// as start_info does for a real kernel).
    /// </summary>
    /// <param name="root">The loopback root R.</param>
    /// <param name="id">The domain.</param>
    /// <param name="logger">Where to log; none when null.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running guest.</returns>
    /// <exception cref="XenPlatformException">The domain, its pages or its ports do not exist.</exception>
    public static async Task<LoopbackGuest> StartAsync(string root, DomainId id, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        logger ??= Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        var domain = new LoopbackDomain(root, id);
        var info = domain.ReadMarker() ?? throw new XenPlatformException($"domain {id} does not exist on {root}");
        if (info.XenStorePort is not { } xsPort)
        {
            throw new XenPlatformException($"domain {id} has no xs-port in its marker");
        }

        var directory = LoopbackToolstack.GuestDirectory(root, id);
        System.IO.Directory.CreateDirectory(directory);
        var self = new LoopbackPlatform(root, id);
        var resources = new Stack<IAsyncDisposable>();
        try
        {
            var page = self.MapGrant(id, GrantRef.ReservedXenStore);
            resources.Push(new DisposeAdapter(page));
            var channel = domain.OpenPort(xsPort);
            resources.Push(new DisposeAdapter(channel));
            var ring = new RingStream(XenStoreRing.Client(page.Page), channel);
            var xenbus = new XenbusMultiplexer(ring, Path.Combine(directory, "xenbus"), logger);
            resources.Push(xenbus);
            xenbus.Start();

            (HvcConsole, IEventChannel, IGrantMapping)? primary = null;
            if (info.ConsolePort is { } consolePort)
            {
                var consolePage = self.MapGrant(id, GrantRef.ReservedConsole);
                resources.Push(new DisposeAdapter(consolePage));
                var consoleChannel = domain.OpenPort(consolePort);
                resources.Push(new DisposeAdapter(consoleChannel));
                var hvc0 = HvcConsole.Open(ConsoleRing.Frontend(consolePage.Page), consoleChannel, Path.Combine(directory, "hvc0"));
                resources.Push(hvc0);
                primary = (hvc0, consoleChannel, consolePage);
            }

            var consoles = await ConsoleDriver.StartAsync(xenbus.SocketPath, domain, directory, logger, cancellationToken).ConfigureAwait(false);
            LoopbackLog.GuestStarted(logger, id.ToString(), info.Name, xenbus.SocketPath);

            // The ring stream owns nothing: the xenbus page and channel go when the guest stops.
            return new LoopbackGuest(id, directory, (xenbus, channel, page), primary, consoles, logger);
        }
        catch
        {
            while (resources.TryPop(out var resource))
            {
                await resource.DisposeAsync().ConfigureAwait(false);
            }

            System.IO.Directory.Delete(directory, recursive: true);
            throw;
        }
    }

    /// <summary>Stops the guest: consoles hang up, xenbus clients are disconnected, <c>R/guests/&lt;D&gt;</c> goes.</summary>
    /// <returns>A task completing when stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _consoles.DisposeAsync().ConfigureAwait(false);
        if (_primary is not null)
        {
            await _primary.DisposeAsync().ConfigureAwait(false);
        }

        _primaryChannel?.Dispose();
        _primaryPage?.Dispose();
        await _xenbus.DisposeAsync().ConfigureAwait(false);
        _xenstoreChannel.Dispose();
        _xenstorePage.Dispose();
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }

        LoopbackLog.GuestStopped(_logger, Id.ToString());
    }

    private sealed class DisposeAdapter(IDisposable inner) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            inner.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
