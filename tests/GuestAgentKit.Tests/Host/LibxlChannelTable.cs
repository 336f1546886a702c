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
}
