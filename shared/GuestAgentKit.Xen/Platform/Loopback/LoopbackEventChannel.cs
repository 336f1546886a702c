using System.Globalization;
using System.Runtime.InteropServices;
using GuestAgentKit.Posix;

namespace GuestAgentKit.Xen.Platform.Loopback;

/// <summary>
/// A loopback event channel port: a FIFO we own and read (one byte = event pending), plus where our
/// notifications go (the peer's FIFO, from our <c>.peer</c> file). docs/loopback.md.
/// </summary>
internal sealed class LoopbackEventChannel : IEventChannel
{
    // FIFOs must be writable by the peer, which may run as another user of the same group.
    private const uint FifoMode = 0x1B0; // 0660

    private readonly LoopbackPaths _paths;
    private readonly DomainId _self;
    private readonly FdPoller _poller;
    private readonly Action<LoopbackEventChannel>? _onDisposed;
    private readonly Lock _gate = new();
    private readonly int _fd;
    private (DomainId Domain, EventChannelPort Port)? _peer;
    private int _peerFd = -1;
    private volatile bool _disposed;

    private LoopbackEventChannel(LoopbackPaths paths, DomainId self, EventChannelPort port, int fd, FdPoller poller, Action<LoopbackEventChannel>? onDisposed)
    {
        _paths = paths;
        _self = self;
        LocalPort = port;
        _fd = fd;
        _poller = poller;
        _onDisposed = onDisposed;
    }

    public EventChannelPort LocalPort { get; }

    /// <summary>
    /// Allocates a free port of <paramref name="self"/> (mkfifo; EEXIST = taken, try the next), trying
    /// <paramref name="firstTry"/> first, then up to the limit, then from 1, and opens it for reading, O_RDWR
    /// so it never reports end-of-file. From 1 that is the lowest free port; a caller that allocates many
    /// ports starts after its last one instead, or its Nth port would cost N failed mkfifo calls.
    /// </summary>
    public static LoopbackEventChannel Allocate(LoopbackPaths paths, DomainId self, FdPoller poller, Action<LoopbackEventChannel>? onDisposed, uint firstTry = 1)
    {
        Directory.CreateDirectory(paths.EventChannels(self));
        const uint Ports = Limits.LoopbackEventChannelPorts - 1; // 1 .. limit-1
        var start = firstTry is >= 1 and < Limits.LoopbackEventChannelPorts ? firstTry : 1;
        for (uint i = 0; i < Ports; i++)
        {
            var port = new EventChannelPort(((start - 1 + i) % Ports) + 1);
            var path = paths.Port(self, port);
            if (LibC.MkFifo(path, FifoMode) != 0)
            {
                if (Marshal.GetLastPInvokeError() == LibC.EEXIST)
                {
                    continue;
                }

                throw new XenPlatformException($"cannot allocate an event channel port of domain {self}", PosixException.FromErrno($"mkfifo({path})"));
            }

            // The port is ours now; files a crashed owner left behind would misdirect notifications.
            File.Delete(paths.Peer(self, port));
            File.Delete(paths.Unbound(self, port));
            var fd = LibC.Open(path, LibC.O_RDWR | LibC.O_NONBLOCK | LibC.O_CLOEXEC);
            if (fd < 0)
            {
                var error = PosixException.FromErrno($"open({path})");
                File.Delete(path);
                throw new XenPlatformException($"cannot open event channel port {port} of domain {self}", error);
            }

            return new LoopbackEventChannel(paths, self, port, fd, poller, onDisposed);
        }

        throw new XenPlatformException($"domain {self} has no free event channel port (limit {Limits.LoopbackEventChannelPorts})");
    }

    /// <summary>
    /// Takes over a port another process allocated and left open for us (a domain builder allocates the
    /// xenstore and console ports; the guest kernel owns them from boot). Notifications go where its
    /// <c>.peer</c> file says once a remote binds.
    /// </summary>
    public static LoopbackEventChannel Adopt(LoopbackPaths paths, DomainId self, EventChannelPort port, FdPoller poller)
    {
        var path = paths.Port(self, port);
        var fd = LibC.Open(path, LibC.O_RDWR | LibC.O_NONBLOCK | LibC.O_CLOEXEC);
        if (fd < 0)
        {
            throw new XenPlatformException($"cannot open event channel port {port} of domain {self}", PosixException.FromErrno($"open({path})"));
        }

        var channel = new LoopbackEventChannel(paths, self, port, fd, poller, onDisposed: null);
        channel._peer = channel.ReadPeerFile();
        return channel;
    }

    /// <summary>Closes our descriptor but leaves the port allocated (its FIFO and files stay) for <see cref="Adopt"/>.</summary>
    public void Detach()
    {
        lock (_gate)
        {
            if (!_disposed)
            {
                _disposed = true;
                _poller.Forget(_fd);
                LibC.Close(_fd);
                ClosePeer();
            }
        }
    }

    /// <summary>Sets where notifications go, once known at bind time.</summary>
    public void SetPeer(DomainId domain, EventChannelPort port)
    {
        lock (_gate)
        {
            _peer = (domain, port);
        }
    }

    public void Notify()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (TrySignalPeer())
            {
                return;
            }

            // Nobody at the cached peer: it may have been re-bound from a new port (a backend restart
            // writes our .peer again), so look again once before dropping, as Xen drops to an unbound port.
            _peer = ReadPeerFile();
            TrySignalPeer();
        }
    }

    public async ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            ValueTask<PollEvents> readable;
            lock (_gate)
            {
                // Drain and arm under the lock Dispose takes, so a wait is never armed on a closed descriptor.
                ObjectDisposedException.ThrowIf(_disposed, this);
                if (Drain())
                {
                    return;
                }

                readable = _poller.WaitAsync(_fd, PollEvents.In, cancellationToken);
            }

            await readable.ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _poller.Forget(_fd);
            LibC.Close(_fd);
            ClosePeer();
            File.Delete(_paths.Port(_self, LocalPort));
            File.Delete(_paths.Peer(_self, LocalPort));
            File.Delete(_paths.Unbound(_self, LocalPort));
        }

        _onDisposed?.Invoke(this);
    }

    /// <summary>Consumes every pending byte (caller holds the lock); true when there was at least one (events coalesce).</summary>
    private unsafe bool Drain()
    {
        var buffer = stackalloc byte[64];
        var any = false;
        while (LibC.Read(_fd, buffer, 64) > 0)
        {
            any = true;
        }

        return any;
    }

    private unsafe bool TrySignalPeer()
    {
        if (_peer is not { } peer)
        {
            return false;
        }

        if (_peerFd < 0)
        {
            // ENXIO (no reader: the owner died) or ENOENT (unbound): nobody to signal.
            _peerFd = LibC.Open(_paths.Port(peer.Domain, peer.Port), LibC.O_WRONLY | LibC.O_NONBLOCK | LibC.O_CLOEXEC);
            if (_peerFd < 0)
            {
                return false;
            }
        }

        byte one = 1;
        if (LibC.Write(_peerFd, &one, 1) == 1 || Marshal.GetLastPInvokeError() == LibC.EAGAIN)
        {
            return true; // EAGAIN: the FIFO is full, an event is already pending
        }

        // EPIPE: the FIFO we hold lost its reader (the peer unbound); forget it.
        ClosePeer();
        return false;
    }

    private void ClosePeer()
    {
        if (_peerFd >= 0)
        {
            LibC.Close(_peerFd);
            _peerFd = -1;
        }
    }

    private (DomainId, EventChannelPort)? ReadPeerFile()
    {
        ClosePeer();
        var text = LoopbackPaths.TryReadText(_paths.Peer(_self, LocalPort));
        var fields = text?.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
        if (fields is not { Length: 2 }
            || !DomainId.TryParse(fields[0], out var domain)
            || !uint.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            return null;
        }

        return (domain, new EventChannelPort(port));
    }
}
