using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Mono.Unix.Native;

namespace GuestAgentKit.Host.Backend;

/// <summary>
/// A listening Unix socket created safely at a path named in xenstore. The rules (what we chose):
/// the path is absolute and fits <c>sun_path</c>; its parent directory exists, is a directory (symlinks in
/// the parent's own path are resolved by the kernel, as for any directory), and is not writable by others
/// unless it is sticky and owned by root (like /tmp); the path itself is never followed if it is a symlink
/// and never replaced unless it is a stale socket nobody listens on. The socket is bound under a temporary
/// name in the same directory, given its mode and group, then renamed into place, so it never appears with
/// looser permissions. Disposing closes it and removes the path if it is still our socket.
/// </summary>
internal sealed class SafeUnixSocket : IDisposable
{
    private static int _counter;
    private readonly long _device;
    private readonly long _inode;

    private SafeUnixSocket(Socket listener, string path, long device, long inode)
    {
        Listener = listener;
        Path = path;
        _device = device;
        _inode = inode;
    }

    public Socket Listener { get; }

    public string Path { get; }

    /// <summary>Creates and listens.</summary>
    /// <param name="path">The socket path.</param>
    /// <param name="mode">Permission bits, e.g. 0x180 (0600).</param>
    /// <param name="groupId">The group to own the socket, or null to keep ours.</param>
    /// <returns>The listening socket.</returns>
    /// <exception cref="SocketPathException">The path is refused; the message says why.</exception>
    public static SafeUnixSocket Listen(string path, int mode, uint? groupId)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!System.IO.Path.IsPathRooted(path) || path.Contains('\0', StringComparison.Ordinal))
        {
            throw new SocketPathException($"socket path \"{path}\" is not an absolute path");
        }

        var length = Encoding.UTF8.GetByteCount(path);
        if (length > Limits.UnixSocketPathMaxBytes)
        {
            throw new SocketPathException($"socket path \"{path}\" is {length} bytes long; a Unix socket path holds at most {Limits.UnixSocketPathMaxBytes}");
        }

        var parent = System.IO.Path.GetDirectoryName(path) ?? "/";
        CheckParent(path, parent);
        CheckExisting(path);

        var temp = System.IO.Path.Combine(parent, string.Create(CultureInfo.InvariantCulture, $".gak{Environment.ProcessId % 100000}-{Interlocked.Increment(ref _counter) % 1000}"));
        if (Encoding.UTF8.GetByteCount(temp) > Limits.UnixSocketPathMaxBytes)
        {
            throw new SocketPathException($"socket path \"{path}\": its directory name is too long for the temporary name the backend binds first ({temp})");
        }

        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            Syscall.unlink(temp);
            listener.Bind(new UnixDomainSocketEndPoint(temp));
            Check(Syscall.chmod(temp, (FilePermissions)mode), $"chmod {temp}");
            if (groupId is { } gid)
            {
                Check(Syscall.chown(temp, uint.MaxValue, gid), $"chown :{gid} {temp}");
            }

            Check(Syscall.lstat(temp, out var stat), $"lstat {temp}");
            Check(Syscall.rename(temp, path), $"rename {temp} -> {path}");
            listener.Listen(Limits.BackendListenBacklog);
            return new SafeUnixSocket(listener, path, (long)stat.st_dev, (long)stat.st_ino);
        }
        catch
        {
            Syscall.unlink(temp);
            listener.Dispose();
            throw;
        }
    }

    /// <summary>Looks a group up by name or number.</summary>
    /// <param name="group">A group name or gid.</param>
    /// <returns>The gid.</returns>
    /// <exception cref="SocketPathException">No such group.</exception>
    public static uint ResolveGroup(string group)
    {
        if (uint.TryParse(group, NumberStyles.None, CultureInfo.InvariantCulture, out var gid))
        {
            return gid;
        }

        return Syscall.getgrnam(group) is { } entry
            ? entry.gr_gid
            : throw new SocketPathException($"socket group \"{group}\" does not exist (getgrnam found nothing)");
    }

    public void Dispose()
    {
        Listener.Dispose();
        if (Syscall.lstat(Path, out var stat) == 0 && (long)stat.st_dev == _device && (long)stat.st_ino == _inode)
        {
            Syscall.unlink(Path);
        }
    }

    private static void CheckParent(string path, string parent)
    {
        if (Syscall.stat(parent, out var dir) != 0)
        {
            throw new SocketPathException($"socket path \"{path}\": its directory {parent} does not exist ({Stdlib.GetLastError()}); create it (e.g. mode 0750, owned by root)");
        }

        if ((dir.st_mode & FilePermissions.S_IFMT) != FilePermissions.S_IFDIR)
        {
            throw new SocketPathException($"socket path \"{path}\": {parent} is not a directory");
        }

        var worldWritable = (dir.st_mode & FilePermissions.S_IWOTH) != 0;
        var stickyRoot = (dir.st_mode & FilePermissions.S_ISVTX) != 0 && dir.st_uid == 0;
        if (worldWritable && !stickyRoot)
        {
            throw new SocketPathException(
                $"socket path \"{path}\": directory {parent} is writable by everyone and not sticky+root-owned, so another user could replace the socket; use a private directory");
        }
    }

    private static void CheckExisting(string path)
    {
        if (Syscall.lstat(path, out var existing) != 0)
        {
            return; // nothing there
        }

        var kind = existing.st_mode & FilePermissions.S_IFMT;
        if (kind == FilePermissions.S_IFLNK)
        {
            throw new SocketPathException($"socket path \"{path}\" is a symbolic link; refusing to follow or replace it");
        }

        if (kind != FilePermissions.S_IFSOCK)
        {
            var what = kind == FilePermissions.S_IFDIR ? "a directory" : kind == FilePermissions.S_IFREG ? "a regular file" : "not a socket";
            throw new SocketPathException($"socket path \"{path}\" exists and is {what}; refusing to replace it");
        }

        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
        }
        catch (SocketException)
        {
            Syscall.unlink(path); // a stale socket from an earlier backend: nobody listens
            return;
        }

        throw new SocketPathException($"socket path \"{path}\" is in use: another process listens on it (a second backend?)");
    }

    private static void Check(int result, string what)
    {
        if (result != 0)
        {
            throw new SocketPathException($"{what} failed: {Stdlib.GetLastError()}");
        }
    }
}
