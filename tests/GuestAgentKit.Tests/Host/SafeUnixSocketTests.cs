using GuestAgentKit.Host.Backend;
using Mono.Unix.Native;

namespace GuestAgentKit.Tests.Host;

public sealed class SafeUnixSocketTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gak-sock-").FullName;

    [Fact]
    public void Listen_Symlink_Refused()
    {
        var path = Path.Combine(_dir, "s");
        File.CreateSymbolicLink(path, Path.Combine(_dir, "target"));
        var error = Assert.Throws<SocketPathException>(() => SafeUnixSocket.Listen(path, 0x180, null));
        Assert.Contains("symbolic link", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false, "a regular file")]
    [InlineData(true, "a directory")]
    public void Listen_ExistingNonSocket_Refused(bool directory, string what)
    {
        var path = Path.Combine(_dir, "s");
        if (directory)
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            File.WriteAllText(path, "keep me");
        }

        var error = Assert.Throws<SocketPathException>(() => SafeUnixSocket.Listen(path, 0x180, null));
        Assert.Contains(what, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Listen_WorldWritableParent_Refused()
    {
        var open = Path.Combine(_dir, "open");
        Directory.CreateDirectory(open);
        Assert.Equal(0, Syscall.chmod(open, (FilePermissions)0x1FF));
        var error = Assert.Throws<SocketPathException>(() => SafeUnixSocket.Listen(Path.Combine(open, "s"), 0x180, null));
        Assert.Contains("writable by everyone", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Listen_TooLong_Refused()
    {
        var error = Assert.Throws<SocketPathException>(() => SafeUnixSocket.Listen(Path.Combine(_dir, new string('x', 120)), 0x180, null));
        Assert.Contains("at most 107", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Listen_ModeAndGroup_AppliedAndRemovedOnDispose()
    {
        var path = Path.Combine(_dir, "s");
        using (SafeUnixSocket.Listen(path, 0x1A0, 4))
        {
            Assert.Equal(0, Syscall.lstat(path, out var stat));
            Assert.Equal(FilePermissions.S_IFSOCK, stat.st_mode & FilePermissions.S_IFMT);
            Assert.Equal(0x1A0, (int)(stat.st_mode & (FilePermissions)0xFFF));
            Assert.Equal(4u, stat.st_gid);
        }

        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Listen_StaleSocket_Replaced_LiveSocket_Refused()
    {
        var path = Path.Combine(_dir, "s");
        using (var live = SafeUnixSocket.Listen(path, 0x180, null))
        {
            var error = Assert.Throws<SocketPathException>(() => SafeUnixSocket.Listen(path, 0x180, null));
            Assert.Contains("in use", error.Message, StringComparison.Ordinal);
        }

        using var stale = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        stale.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(path));
        stale.Dispose();
        using var again = SafeUnixSocket.Listen(path, 0x180, null);
        Assert.True(File.Exists(path));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
