using System.Globalization;
using System.Text;

namespace GuestAgentKit.Channels.Xl;

/// <summary>
/// One entry of xl's <c>channel=[...]</c> list (xl.cfg(5)):
/// <c>connection=socket, name=NAME, path=PATH</c> or <c>connection=pty, name=NAME</c>, each optionally
/// with <c>backend=DOMID|DOMNAME</c>. Spaces around <c>,</c> and <c>=</c> are allowed; keys and values may
/// not contain <c>,</c> <c>=</c> <c>"</c>.
/// </summary>
public sealed class XlChannelSpec
{
    private const string KnownKeys = "connection, name, path, backend";

    /// <summary>Creates a spec; the arguments must satisfy the same rules <see cref="Parse"/> enforces.</summary>
    /// <param name="name">The channel name.</param>
    /// <param name="connection">Socket or pty.</param>
    /// <param name="path">Absolute socket path (socket only, at most <see cref="Limits.UnixSocketPathMaxBytes"/> bytes).</param>
    /// <param name="backend">Backend domain id or name; null for dom0.</param>
    /// <exception cref="ArgumentException">The combination is invalid.</exception>
    public XlChannelSpec(ChannelName name, ChannelConnection connection, string? path = null, string? backend = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        var error = CheckConnection(connection) ?? CheckPath(connection, path) ?? CheckBackend(backend);
        if (error is not null)
        {
            throw new ArgumentException("channel " + error);
        }

        Name = name;
        Connection = connection;
        Path = path;
        Backend = backend;
    }

    /// <summary>The channel name.</summary>
    public ChannelName Name { get; }

    /// <summary>Socket or pty.</summary>
    public ChannelConnection Connection { get; }

    /// <summary>The socket path for <see cref="ChannelConnection.Socket"/>; null for a pty.</summary>
    public string? Path { get; }

    /// <summary>The backend domain (id or name); null means dom0.</summary>
    public string? Backend { get; }

    /// <summary>Parses one channel entry (the text inside the quotes).</summary>
    /// <param name="entry">E.g. <c>connection=socket, name=org.example.agent.1, path=/run/x.sock</c>.</param>
    /// <param name="index">0-based position of the entry in its list, used in error messages.</param>
    /// <returns>The spec.</returns>
    /// <exception cref="XlChannelSpecException">The entry is invalid; the message says why.</exception>
    public static XlChannelSpec Parse(string entry, int index = 0)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in entry.Split(','))
        {
            var parameter = raw.Trim(' ', '\t');
            if (parameter.Length == 0)
            {
                throw Fail(index, $"channel {index} has an empty parameter (two commas in a row, or a leading or trailing comma)");
            }

            var eq = parameter.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0)
            {
                throw Fail(index, $"channel {index} parameter '{PeerText.Quote(parameter)}' is not key=value");
            }

            var key = parameter[..eq].TrimEnd(' ', '\t');
            var value = parameter[(eq + 1)..].TrimStart(' ', '\t');
            if (value.Contains('=', StringComparison.Ordinal))
            {
                throw Fail(index, $"channel {index} parameter '{PeerText.Quote(parameter)}' has more than one '='");
            }

            if (key is not ("connection" or "name" or "path" or "backend"))
            {
                throw Fail(index, $"channel {index} has unknown parameter '{PeerText.Quote(key)}' (known: {KnownKeys})");
            }

            if (!values.TryAdd(key, value))
            {
                throw Fail(index, $"channel {index} sets '{key}' twice");
            }

            if (value.Any(c => c is < ' ' or '"' or '\x7F'))
            {
                throw Fail(index, $"channel {index} {key} '{PeerText.Quote(value)}' contains a control character or '\"'");
            }
        }

        return FromValues(values, index);
    }

    private static XlChannelSpec FromValues(Dictionary<string, string> values, int index)
    {
        if (!values.TryGetValue("name", out var nameText) || nameText.Length == 0)
        {
            throw Fail(index, $"channel {index} has no name");
        }

        if (!ChannelName.TryParse(nameText, out var name, out var nameError))
        {
            throw Fail(index, $"channel {index} has a bad name: {nameError}");
        }

        if (!values.TryGetValue("connection", out var connectionText) || connectionText.Length == 0)
        {
            throw Fail(index, $"channel {index} has no defined connection; to where should it be connected?");
        }

        var connection = connectionText switch
        {
            "socket" => ChannelConnection.Socket,
            "pty" => ChannelConnection.Pty,
            _ => throw Fail(index, $"channel {index} has unknown connection type '{PeerText.Quote(connectionText)}' (expected socket or pty)"),
        };
        values.TryGetValue("path", out var path);
        values.TryGetValue("backend", out var backend);
        if (connection == ChannelConnection.Socket && string.IsNullOrEmpty(path))
        {
            throw Fail(index, $"channel {index} has no path");
        }

        var error = CheckPath(connection, path) ?? CheckBackend(backend);
        return error is null
            ? new XlChannelSpec(name, connection, path, backend)
            : throw Fail(index, $"channel {index} {error}");
    }

    private static string? CheckConnection(ChannelConnection connection) =>
        Enum.IsDefined(connection) ? null : $"connection {(int)connection} is neither socket nor pty";

    private static string? CheckPath(ChannelConnection connection, string? path)
    {
        if (path is null)
        {
            return connection == ChannelConnection.Socket ? "has no path" : null;
        }

        if (connection != ChannelConnection.Socket)
        {
            return "has a path, which only connection=socket uses";
        }

        if (!path.StartsWith('/'))
        {
            return $"path '{PeerText.Quote(path)}' is not absolute";
        }

        if (path.Any(c => c is < ' ' or ',' or '=' or '"' or '\x7F'))
        {
            return $"path '{PeerText.Quote(path)}' contains a control character or one of , = \"";
        }

        var bytes = Encoding.UTF8.GetByteCount(path);
        return bytes > Limits.UnixSocketPathMaxBytes
            ? string.Create(CultureInfo.InvariantCulture, $"path is {bytes} bytes long; a Unix socket path can have at most {Limits.UnixSocketPathMaxBytes} bytes (sun_path is 108 bytes including the terminating NUL)")
            : null;
    }

    private static string? CheckBackend(string? backend) =>
        backend is null || (backend.Length > 0 && backend.All(c => c is > ' ' and < '\x7F' and not (',' or '=' or '"')))
            ? null
            : $"backend '{PeerText.Quote(backend)}' is not a domain id or domain name";

    /// <summary>The canonical xl text, e.g. <c>connection=socket, name=org.example.agent.1, path=/run/x.sock</c>.</summary>
    /// <returns>Text that <see cref="Parse"/> turns back into an equal spec.</returns>
    public string Format()
    {
        var text = new StringBuilder();
        text.Append("connection=").Append(Connection == ChannelConnection.Socket ? "socket" : "pty");
        text.Append(", name=").Append(Name.Value);
        if (Path is not null)
        {
            text.Append(", path=").Append(Path);
        }

        if (Backend is not null)
        {
            text.Append(", backend=").Append(Backend);
        }

        return text.ToString();
    }

    /// <inheritdoc />
    public override string ToString() => Format();

    private static XlChannelSpecException Fail(int index, string message) => new(index, message);
}
