using System.Runtime.InteropServices;

namespace GuestAgentKit.Interop.Tests.NativePlatform;

/// <summary>
/// The granting (frontend) side of the C stand-ins, called from C#: <c>xengntshr_*</c> and
/// <c>xenevtchn_bind_unbound_port</c> as the domain named by GAK_LOOPBACK_DOMID when the handles open.
/// </summary>
internal sealed unsafe class StandInGrantingDomain : IDisposable
{
    private readonly delegate* unmanaged<nint, uint, int, uint*, int, nint> _sharePages;
    private readonly delegate* unmanaged<nint, int> _shrClose;
    private readonly delegate* unmanaged<nint, uint, int> _bindUnbound;
    private readonly delegate* unmanaged<nint, uint, int> _notify;
    private readonly delegate* unmanaged<nint, int> _pending;
    private readonly delegate* unmanaged<nint, int> _evtClose;
    private readonly nint _shr;
    private readonly nint _evtchn;
    private byte* _page;

    public StandInGrantingDomain(string directory)
    {
        var gnttab = NativeLibrary.Load(Path.Combine(directory, "libxengnttab.so.1"));
        var evtchn = NativeLibrary.Load(Path.Combine(directory, "libxenevtchn.so.1"));
        var shrOpen = (delegate* unmanaged<nint, uint, nint>)NativeLibrary.GetExport(gnttab, "xengntshr_open");
        _sharePages = (delegate* unmanaged<nint, uint, int, uint*, int, nint>)NativeLibrary.GetExport(gnttab, "xengntshr_share_pages");
        _shrClose = (delegate* unmanaged<nint, int>)NativeLibrary.GetExport(gnttab, "xengntshr_close");
        var evtOpen = (delegate* unmanaged<nint, uint, nint>)NativeLibrary.GetExport(evtchn, "xenevtchn_open");
        _bindUnbound = (delegate* unmanaged<nint, uint, int>)NativeLibrary.GetExport(evtchn, "xenevtchn_bind_unbound_port");
        _notify = (delegate* unmanaged<nint, uint, int>)NativeLibrary.GetExport(evtchn, "xenevtchn_notify");
        var fd = (delegate* unmanaged<nint, int>)NativeLibrary.GetExport(evtchn, "xenevtchn_fd");
        _pending = (delegate* unmanaged<nint, int>)NativeLibrary.GetExport(evtchn, "xenevtchn_pending");
        _evtClose = (delegate* unmanaged<nint, int>)NativeLibrary.GetExport(evtchn, "xenevtchn_close");
        _shr = shrOpen(0, 0);
        _evtchn = evtOpen(0, 0);
        Assert.True(_shr != 0 && _evtchn != 0, "xengntshr_open/xenevtchn_open of the stand-ins failed");
        Fd = fd(_evtchn);
    }

    /// <summary>The event channel handle's descriptor (readable when an event is pending).</summary>
    public int Fd { get; }

    /// <summary>Shares one page with <paramref name="grantee"/> and returns its grant ref.</summary>
    public uint SharePage(uint grantee)
    {
        uint grant;
        _page = (byte*)_sharePages(_shr, grantee, 1, &grant, 1);
        Assert.True(_page != null, "xengntshr_share_pages failed");
        return grant;
    }

    public void Fill(byte value) => new Span<byte>(_page, 4096).Fill(value);

    public byte ByteAt(int offset) => _page[offset];

    public int BindUnbound(uint remote) => _bindUnbound(_evtchn, remote);

    public int Notify(int port) => _notify(_evtchn, (uint)port);

    public int Pending() => _pending(_evtchn);

    public void Dispose()
    {
        _evtClose(_evtchn);
        _shrClose(_shr);
    }
}
