using System.Globalization;

namespace GuestAgentKit.Tests.Host;

/// <summary>
/// What libxl writes for a channel of frontend domain D, backend domain B, devid N, independent of our
/// code: tools/libs/light/libxl_console.c <c>libxl__device_console_add</c> (the entries: back = frontend-id,
/// online, state, protocol, name, connection, path; front = backend-id, state, protocol; ro_front = name,
/// limit, type, output, tty) and libxl_device.c <c>libxl__device_generic_add</c> (frontend directory and
/// the <c>backend</c> entry get frontend_perms {n D, r B}; ro_front entries ro_frontend_perms {n B, r D};
/// backend directory and entries backend_perms {n B, r D}; the backend's <c>frontend</c> entry). The only
/// deliberate difference: <c>type</c> is <c>guestagentkit</c> where libxl writes <c>ioemu</c>.
/// Rows: relative path (F = frontend dir, B = backend dir), value template, permissions template.
/// Shared by the unit tests (embedded xenstored) and the interop tests (Debian's real daemons), which
/// link this file.
/// </summary>
internal static class LibxlChannelTable
{
    public static readonly (string Path, string Value, string Perms)[] Socket =
    [
        ("F", "", "nD,rB"),
        ("F/backend", "{back}", "nD,rB"),
        ("F/backend-id", "{B}", "nD,rB"),
        ("F/state", "1", "nD,rB"),
        ("F/protocol", "vt100", "nD,rB"),
        ("F/name", "{name}", "nB,rD"),
        ("F/limit", "1048576", "nB,rD"),
        ("F/type", "guestagentkit", "nB,rD"),
        ("F/output", "chardev:libxl-channel{N}", "nB,rD"),
        ("F/tty", "", "nB,rD"),
        ("B", "", "nB,rD"),
        ("B/frontend", "{front}", "nB,rD"),
        ("B/frontend-id", "{D}", "nB,rD"),
        ("B/online", "1", "nB,rD"),
        ("B/state", "1", "nB,rD"),
        ("B/protocol", "vt100", "nB,rD"),
        ("B/name", "{name}", "nB,rD"),
        ("B/connection", "socket", "nB,rD"),
        ("B/path", "{path}", "nB,rD"),
    ];

    /// <summary>The frontend directory libxl uses: <c>/local/domain/D/device/console/N</c>.</summary>
    public static string FrontendPath(ushort domain, int devid) => $"/local/domain/{domain}/device/console/{devid}";

    /// <summary>The backend directory libxl uses: <c>/local/domain/B/backend/console/D/N</c>.</summary>
    public static string BackendPath(ushort domain, ushort backend, int devid) => $"/local/domain/{backend}/backend/console/{domain}/{devid}";

    /// <summary>
    /// <see cref="Socket"/> for one channel: absolute node, its value, and its permissions as
    /// <c>XsPermission</c>s print joined by commas (<c>n5,r0</c>).
    /// </summary>
    public static IEnumerable<(string Node, string Value, string Perms)> ForSocket(ushort domain, ushort backend, int devid, string name, string path)
    {
        var front = FrontendPath(domain, devid);
        var back = BackendPath(domain, backend, devid);
        var d = domain.ToString(CultureInfo.InvariantCulture);
        var b = backend.ToString(CultureInfo.InvariantCulture);
        string Fill(string template) => template
            .Replace("{back}", back, StringComparison.Ordinal).Replace("{front}", front, StringComparison.Ordinal)
            .Replace("{name}", name, StringComparison.Ordinal).Replace("{path}", path, StringComparison.Ordinal)
            .Replace("{N}", devid.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{D}", d, StringComparison.Ordinal).Replace("{B}", b, StringComparison.Ordinal);
        string FillPerms(string template) => template.Replace("D", d, StringComparison.Ordinal).Replace("B", b, StringComparison.Ordinal);
        return Socket.Select(row => ((row.Path[0] == 'F' ? front : back) + row.Path[1..], Fill(row.Value), FillPerms(row.Perms)));
    }

    /// <summary>The entry names expected in the frontend (<paramref name="directory"/> 'F') or backend ('B') directory, sorted.</summary>
    public static IEnumerable<string> EntriesOf(char directory) =>
        Socket.Where(r => r.Path.Length > 2 && r.Path[0] == directory).Select(r => r.Path[2..]).Order(StringComparer.Ordinal);
}
