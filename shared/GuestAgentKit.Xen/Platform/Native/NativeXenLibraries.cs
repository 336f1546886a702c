using System.Runtime.InteropServices;

namespace GuestAgentKit.Xen.Platform.Native;

/// <summary>
/// The entry points we call in Xen's stable userspace libraries, resolved by soname at run time (so a
/// machine without Xen can still load GuestAgentKit, and stand-ins with the real sonames on
/// <c>LD_LIBRARY_PATH</c> or in an explicit directory replace them). Every signature below is checked
/// against /usr/include/xengnttab.h and /usr/include/xenevtchn.h (Xen 4.17); opaque handles are
/// pointers, <c>uint32_t</c>/<c>evtchn_port_t</c>/<c>unsigned</c> are <see cref="uint"/>,
/// <c>xenevtchn_port_or_error_t</c> is <c>int</c>.
/// </summary>
internal sealed unsafe class NativeXenLibraries
{
    public const string GntTabSoname = "libxengnttab.so.1";
    public const string EvtchnSoname = "libxenevtchn.so.1";

    private NativeXenLibraries(nint gnttab, nint evtchn)
    {
        GntTabOpen = (delegate* unmanaged<nint, uint, nint>)Export(gnttab, GntTabSoname, "xengnttab_open");
        GntTabClose = (delegate* unmanaged<nint, int>)Export(gnttab, GntTabSoname, "xengnttab_close");
        GntTabMapGrantRef = (delegate* unmanaged<nint, uint, uint, int, nint>)Export(gnttab, GntTabSoname, "xengnttab_map_grant_ref");
        GntTabUnmap = (delegate* unmanaged<nint, nint, uint, int>)Export(gnttab, GntTabSoname, "xengnttab_unmap");
        EvtchnOpen = (delegate* unmanaged<nint, uint, nint>)Export(evtchn, EvtchnSoname, "xenevtchn_open");
        EvtchnClose = (delegate* unmanaged<nint, int>)Export(evtchn, EvtchnSoname, "xenevtchn_close");
        EvtchnFd = (delegate* unmanaged<nint, int>)Export(evtchn, EvtchnSoname, "xenevtchn_fd");
        EvtchnBindInterdomain = (delegate* unmanaged<nint, uint, uint, int>)Export(evtchn, EvtchnSoname, "xenevtchn_bind_interdomain");
        EvtchnUnbind = (delegate* unmanaged<nint, uint, int>)Export(evtchn, EvtchnSoname, "xenevtchn_unbind");
        EvtchnNotify = (delegate* unmanaged<nint, uint, int>)Export(evtchn, EvtchnSoname, "xenevtchn_notify");
        EvtchnPending = (delegate* unmanaged<nint, int>)Export(evtchn, EvtchnSoname, "xenevtchn_pending");
        EvtchnUnmask = (delegate* unmanaged<nint, uint, int>)Export(evtchn, EvtchnSoname, "xenevtchn_unmask");
    }

    /// <summary><c>xengnttab_handle *xengnttab_open(struct xentoollog_logger *logger, unsigned open_flags)</c>.</summary>
    public delegate* unmanaged<nint, uint, nint> GntTabOpen { get; }

    /// <summary><c>int xengnttab_close(xengnttab_handle *xgt)</c>.</summary>
    public delegate* unmanaged<nint, int> GntTabClose { get; }

    /// <summary><c>void *xengnttab_map_grant_ref(xengnttab_handle *xgt, uint32_t domid, uint32_t ref, int prot)</c>.</summary>
    public delegate* unmanaged<nint, uint, uint, int, nint> GntTabMapGrantRef { get; }

    /// <summary><c>int xengnttab_unmap(xengnttab_handle *xgt, void *start_address, uint32_t count)</c>.</summary>
    public delegate* unmanaged<nint, nint, uint, int> GntTabUnmap { get; }

    /// <summary><c>xenevtchn_handle *xenevtchn_open(struct xentoollog_logger *logger, unsigned int flags)</c>.</summary>
    public delegate* unmanaged<nint, uint, nint> EvtchnOpen { get; }

    /// <summary><c>int xenevtchn_close(xenevtchn_handle *xce)</c>.</summary>
    public delegate* unmanaged<nint, int> EvtchnClose { get; }

    /// <summary><c>int xenevtchn_fd(xenevtchn_handle *xce)</c>.</summary>
    public delegate* unmanaged<nint, int> EvtchnFd { get; }

    /// <summary><c>xenevtchn_port_or_error_t xenevtchn_bind_interdomain(xenevtchn_handle *xce, uint32_t domid, evtchn_port_t remote_port)</c>.</summary>
    public delegate* unmanaged<nint, uint, uint, int> EvtchnBindInterdomain { get; }

    /// <summary><c>int xenevtchn_unbind(xenevtchn_handle *xce, evtchn_port_t port)</c>.</summary>
    public delegate* unmanaged<nint, uint, int> EvtchnUnbind { get; }

    /// <summary><c>int xenevtchn_notify(xenevtchn_handle *xce, evtchn_port_t port)</c>.</summary>
    public delegate* unmanaged<nint, uint, int> EvtchnNotify { get; }

    /// <summary><c>xenevtchn_port_or_error_t xenevtchn_pending(xenevtchn_handle *xce)</c>.</summary>
    public delegate* unmanaged<nint, int> EvtchnPending { get; }

    /// <summary><c>int xenevtchn_unmask(xenevtchn_handle *xce, evtchn_port_t port)</c>.</summary>
    public delegate* unmanaged<nint, uint, int> EvtchnUnmask { get; }

    /// <summary>Loads both libraries and resolves every entry point, or explains what is missing.</summary>
    /// <param name="directory">Where to load them from; null to let the dynamic loader search (LD_LIBRARY_PATH, ld.so.cache).</param>
    public static NativeXenLibraries Load(string? directory) =>
        new(LoadLibrary(directory, GntTabSoname), LoadLibrary(directory, EvtchnSoname));

    private static nint LoadLibrary(string? directory, string soname)
    {
        var name = directory is null ? soname : Path.Combine(directory, soname);
        try
        {
            return NativeLibrary.Load(name);
        }
        catch (DllNotFoundException error)
        {
            throw new XenPlatformException($"not a Xen dom0: {soname} not found{(directory is null ? string.Empty : $" in {directory}")} (install the Xen userspace libraries, e.g. Debian's libxengnttab1 and libxenevtchn1)", error);
        }
    }

    private static nint Export(nint library, string soname, string symbol)
    {
        if (!NativeLibrary.TryGetExport(library, symbol, out var address))
        {
            throw new XenPlatformException($"{soname} has no symbol {symbol}: not a supported Xen userspace");
        }

        return address;
    }
}
