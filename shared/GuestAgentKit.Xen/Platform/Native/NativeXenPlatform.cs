using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using GuestAgentKit.Posix;

namespace GuestAgentKit.Xen.Platform.Native;

/// <summary>
/// The real Xen platform for a dom0 (or driver domain) backend: grant mapping through
/// <c>libxengnttab.so.1</c> and event channels through <c>libxenevtchn.so.1</c>, the libraries QEMU and
/// xenconsoled use. ONE event channel handle serves every bound port: its descriptor is waited on by
/// an <see cref="FdPoller"/>, <c>xenevtchn_pending</c> names the port that fired, the event goes to
/// that channel's waiter and the port is unmasked (<c>xenevtchn_unmask</c>) for the next one.
/// </summary>
public sealed class NativeXenPlatform : IXenPlatform
{
    // PROT_READ | PROT_WRITE (sys/mman.h), the prot argument of xengnttab_map_grant_ref.
    private const int ProtReadWrite = 0x1 | 0x2;

    private readonly NativeXenLibraries _lib;
    private readonly FdPoller _poller;
    private readonly nint _gnttab;
    private readonly nint _evtchn;
    private readonly int _evtchnFd;
    private readonly ConcurrentDictionary<uint, NativeEventChannel> _channels = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private Task? _pump;
    private bool _disposed;

    private NativeXenPlatform(NativeXenLibraries lib, nint gnttab, nint evtchn, int evtchnFd, DomainId self, FdPoller poller)
    {
        _lib = lib;
        _gnttab = gnttab;
        _evtchn = evtchn;
        _evtchnFd = evtchnFd;
        Self = self;
        _poller = poller;
    }

    /// <inheritdoc />
    public DomainId Self { get; }

    /// <summary>
    /// Loads the Xen libraries and opens a grant table handle and an event channel handle.
    /// </summary>
    /// <param name="libraryDirectory">
    /// Directory holding <c>libxengnttab.so.1</c> and <c>libxenevtchn.so.1</c> (e.g. test stand-ins); null to
    /// let the dynamic loader find them (honours <c>LD_LIBRARY_PATH</c>).
    /// </param>
    /// <param name="self">The domain this process runs in (dom0 unless a driver domain).</param>
    /// <param name="poller">The poller for the event channel descriptor; <see cref="FdPoller.Shared"/> when null.</param>
    /// <returns>The platform; dispose it to close both handles.</returns>
    /// <exception cref="XenPlatformException">The libraries are missing ("not a Xen dom0: ...") or the Xen devices cannot be opened.</exception>
    public static unsafe NativeXenPlatform Open(string? libraryDirectory = null, DomainId self = default, FdPoller? poller = null)
    {
        var lib = NativeXenLibraries.Load(libraryDirectory);
        Marshal.SetLastSystemError(0);
        var gnttab = lib.GntTabOpen(0, 0);
        if (gnttab == 0)
        {
            throw OpenFailed("xengnttab_open", "/dev/xen/gntdev");
        }

        var evtchn = lib.EvtchnOpen(0, 0);
        if (evtchn == 0)
        {
            var error = OpenFailed("xenevtchn_open", "/dev/xen/evtchn");
            lib.GntTabClose(gnttab);
            throw error;
        }

        var fd = lib.EvtchnFd(evtchn);
        if (fd < 0)
        {
            lib.EvtchnClose(evtchn);
            lib.GntTabClose(gnttab);
            throw new XenPlatformException("xenevtchn_fd returned no descriptor");
        }

        return new NativeXenPlatform(lib, gnttab, evtchn, fd, self, poller ?? FdPoller.Shared);
    }

    /// <inheritdoc />
    public unsafe IGrantMapping MapGrant(DomainId domain, GrantRef grant)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            Marshal.SetLastSystemError(0);
            var address = _lib.GntTabMapGrantRef(_gnttab, domain.Value, grant.Value, ProtReadWrite);
            if (address == 0)
            {
                throw new XenPlatformException($"cannot map grant {grant} of domain {domain}: xengnttab_map_grant_ref failed: {LastError()}");
            }

            return new NativeGrantMapping(this, address);
        }
    }

    /// <inheritdoc />
    public unsafe IEventChannel BindInterdomain(DomainId remote, EventChannelPort remotePort)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            Marshal.SetLastSystemError(0);
            var port = _lib.EvtchnBindInterdomain(_evtchn, remote.Value, remotePort.Value);
            if (port < 0)
            {
                throw new XenPlatformException($"cannot bind to port {remotePort} of domain {remote}: xenevtchn_bind_interdomain failed: {LastError()}");
            }

            var channel = new NativeEventChannel(this, new EventChannelPort((uint)port));
            _channels[(uint)port] = channel;
            _pump ??= PumpAsync();
            return channel;
        }
    }

    /// <summary>Unbinds every channel still bound and closes both handles. Dispose grant mappings first.</summary>
    public unsafe void Dispose()
    {
        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }

        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _stop.Cancel();
            _poller.Forget(_evtchnFd);
            _lib.EvtchnClose(_evtchn);
            _lib.GntTabClose(_gnttab);
        }

        _stop.Dispose();
    }

    internal unsafe void Notify(EventChannelPort port)
    {
        lock (_gate)
        {
            if (!_disposed)
            {
                // A failure means the port is gone; Xen semantics: the notification is dropped.
                _lib.EvtchnNotify(_evtchn, port.Value);
            }
        }
    }

    internal unsafe void Unbind(NativeEventChannel channel)
    {
        lock (_gate)
        {
            if (_channels.TryRemove(new KeyValuePair<uint, NativeEventChannel>(channel.LocalPort.Value, channel)) && !_disposed)
            {
                _lib.EvtchnUnbind(_evtchn, channel.LocalPort.Value);
            }
        }
    }

    internal unsafe void Unmap(nint address)
    {
        lock (_gate)
        {
            if (!_disposed)
            {
                _lib.GntTabUnmap(_gnttab, address, 1);
            }
        }
    }

    private static XenPlatformException OpenFailed(string call, string device) =>
        new($"not a Xen dom0: {call} failed: {LastError()} (is {device} present and accessible?)");

    private static string LastError()
    {
        var errno = Marshal.GetLastSystemError();
        return $"{Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";
    }

    /// <summary>
    /// The port that fired, or -1. Called only when the descriptor is readable, so exactly this one read
    /// does not block; further pending ports keep it readable and come with the next readiness.
    /// </summary>
    private unsafe int TakePending()
    {
        lock (_gate)
        {
            return _disposed ? -1 : _lib.EvtchnPending(_evtchn);
        }
    }

    /// <summary>The driver masks a port when it delivers it; unmask it once its event is handed over.</summary>
    private unsafe void Unmask(uint port)
    {
        lock (_gate)
        {
            if (!_disposed)
            {
                _lib.EvtchnUnmask(_evtchn, port);
            }
        }
    }

    private async Task PumpAsync()
    {
        try
        {
            var token = _stop.Token;
            while (true)
            {
                await _poller.WaitAsync(_evtchnFd, PollEvents.In, token).ConfigureAwait(false);
                var port = TakePending();
                if (port < 0)
                {
                    continue;
                }

                if (_channels.TryGetValue((uint)port, out var channel))
                {
                    channel.Signal();
                }

                Unmask((uint)port);
            }
        }
        catch (Exception error) when (error is OperationCanceledException or ObjectDisposedException && _disposed)
        {
            // Disposed: channels were failed by their own Dispose.
        }
        catch (Exception error)
        {
            foreach (var channel in _channels.Values)
            {
                channel.Fail(error);
            }
        }
    }
}
