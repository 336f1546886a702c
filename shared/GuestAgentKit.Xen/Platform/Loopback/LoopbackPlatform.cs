using System.Collections.Concurrent;
using System.Globalization;
using GuestAgentKit.Posix;

namespace GuestAgentKit.Xen.Platform.Loopback;

/// <summary>
/// The backend half of the loopback Xen (docs/loopback.md): maps page files other domains granted and
/// binds to their unbound event channel ports, acting as domain <see cref="Self"/> under one root
/// directory. Waits run on one <see cref="FdPoller"/> thread, not a thread per channel.
/// </summary>
public sealed class LoopbackPlatform : IXenPlatform
{
    private readonly LoopbackPaths _paths;
    private readonly FdPoller _poller;
    private readonly ConcurrentDictionary<LoopbackEventChannel, byte> _bound = new();
    private readonly Lock _portGate = new();

    // Where the next bind starts looking for a free port of Self: after the last one it took, or at a lower port
    // one of ours freed. A backend serving a thousand channels otherwise tried every taken port from 1 up on each
    // bind: a thousand failed mkfifo calls for its thousandth channel, half its CPU while connecting (B3).
    private uint _nextPort = 1;

    /// <summary>Acts as <paramref name="self"/> on the loopback rooted at <paramref name="root"/>.</summary>
    /// <param name="root">The loopback root directory <c>R</c>.</param>
    /// <param name="self">The domain this process is (0 for a dom0 backend).</param>
    /// <param name="poller">The poller for event channel waits; <see cref="FdPoller.Shared"/> when null.</param>
    public LoopbackPlatform(string root, DomainId self, FdPoller? poller = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        _paths = new LoopbackPaths(Path.GetFullPath(root));
        _poller = poller ?? FdPoller.Shared;
        Self = self;
    }

    /// <inheritdoc />
    public DomainId Self { get; }

    /// <summary>The loopback root directory.</summary>
    public string Root => _paths.Root;

    /// <inheritdoc />
    public IGrantMapping MapGrant(DomainId domain, GrantRef grant)
    {
        var description = $"grant {grant} of domain {domain}";
        RequireDomain(domain, description);
        var path = _paths.Grant(domain, grant);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception error) when (error is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new XenPlatformException($"cannot map {description}: no such grant ({path} does not exist)", error);
        }

        return LoopbackGrantMapping.Map(stream, description);
    }

    /// <inheritdoc />
    public IEventChannel BindInterdomain(DomainId remote, EventChannelPort remotePort)
    {
        var description = $"port {remotePort} of domain {remote}";
        RequireDomain(remote, $"cannot bind to {description}");
        var unbound = LoopbackPaths.TryReadText(_paths.Unbound(remote, remotePort));
        if (unbound is null || !File.Exists(_paths.Port(remote, remotePort)))
        {
            throw new XenPlatformException($"cannot bind to {description}: it is not an unbound port");
        }

        if (!DomainId.TryParse(unbound.Trim(), out var allowed) || allowed != Self)
        {
            throw new XenPlatformException($"cannot bind to {description}: it was allocated for domain '{unbound.Trim()}', not {Self}");
        }

        uint firstTry;
        lock (_portGate)
        {
            firstTry = _nextPort;
        }

        var channel = LoopbackEventChannel.Allocate(_paths, Self, _poller, Unbound, firstTry);
        lock (_portGate)
        {
            _nextPort = channel.LocalPort.Value + 1;
        }

        try
        {
            // The remote's .peer first, so its notifications find us as soon as ours can find it.
            LoopbackPaths.WriteAtomically(_paths.Peer(remote, remotePort), PeerLine(Self, channel.LocalPort));
            LoopbackPaths.WriteAtomically(_paths.Peer(Self, channel.LocalPort), PeerLine(remote, remotePort));
        }
        catch
        {
            channel.Dispose();
            throw;
        }

        channel.SetPeer(remote, remotePort);
        _bound.TryAdd(channel, 0);
        return channel;
    }

    /// <summary>Unbinds every channel still bound (removing their files). Mappings stay with their owners.</summary>
    public void Dispose()
    {
        foreach (var channel in _bound.Keys)
        {
            channel.Dispose();
        }
    }

    private void Unbound(LoopbackEventChannel channel)
    {
        _bound.TryRemove(channel, out _);
        lock (_portGate)
        {
            _nextPort = Math.Min(_nextPort, channel.LocalPort.Value);
        }
    }

    private static string PeerLine(DomainId domain, EventChannelPort port) =>
        string.Create(CultureInfo.InvariantCulture, $"{domain} {port}\n");

    private void RequireDomain(DomainId domain, string what)
    {
        if (!File.Exists(_paths.Domain(domain)))
        {
            throw new XenPlatformException($"{what}: domain {domain} does not exist ({_paths.Domain(domain)} is missing)");
        }
    }
}
