using System.Text;
using GuestAgentKit.Posix;

namespace GuestAgentKit.Tests.Posix;

public sealed class PtyTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public void Open_SlavePath_IsADevPtsNode()
    {
        using var pty = Pty.Open();

        Assert.StartsWith("/dev/pts/", pty.SlavePath, StringComparison.Ordinal);
        Assert.True(File.Exists(pty.SlavePath));
    }

    [Fact]
    public async Task Open_SlaveClosedAndReopened_BytesFlowAgain()
    {
        var ct = TestContext.Current.CancellationToken;
        using var pty = Pty.Open();
        for (var session = 0; session < 3; session++)
        {
            await using var slave = Tty.OpenRaw(pty.SlavePath);
            var message = Encoding.ASCII.GetBytes($"session {session}");
            await pty.Master.WriteAsync(message, ct).AsTask().WaitAsync(Timeout, ct);
            var received = new byte[message.Length];
            await slave.ReadExactlyAsync(received, ct).AsTask().WaitAsync(Timeout, ct);
            Assert.Equal(message, received);

            await slave.WriteAsync(message, ct).AsTask().WaitAsync(Timeout, ct);
            await pty.Master.ReadExactlyAsync(received, ct).AsTask().WaitAsync(Timeout, ct);
            Assert.Equal(message, received);
        }
    }

    [Fact]
    public async Task Master_SlaveNotHeldAndClosed_ReadsHangUpThenWorksAfterReopen()
    {
        var ct = TestContext.Current.CancellationToken;
        using var pty = Pty.Open(holdSlaveOpen: false);
        pty.MakeRaw();

        // Once the last slave descriptor closes, the master reads hang-up.
        var slave = Tty.OpenRaw(pty.SlavePath);
        var pending = pty.Master.ReadAsync(new byte[8], ct).AsTask();
        await slave.DisposeAsync();
        Assert.Equal(0, await pending.WaitAsync(Timeout, ct));

        await using var again = Tty.OpenRaw(pty.SlavePath);
        await again.WriteAsync("x"u8.ToArray(), ct).AsTask().WaitAsync(Timeout, ct);
        var buffer = new byte[8];
        Assert.Equal(1, await pty.Master.ReadAsync(buffer, ct).AsTask().WaitAsync(Timeout, ct));
        Assert.Equal((byte)'x', buffer[0]);
    }

    [Fact]
    public async Task MakeRaw_OnMaster_AppliesToSlaveOpenedLater()
    {
        var ct = TestContext.Current.CancellationToken;
        using var pty = Pty.Open();
        pty.MakeRaw();
        await using var slave = Tty.Open(pty.SlavePath); // no raw mode of its own

        await pty.Master.WriteAsync("ab\r"u8.ToArray(), ct).AsTask().WaitAsync(Timeout, ct);
        var received = new byte[3];
        await slave.ReadExactlyAsync(received, ct).AsTask().WaitAsync(Timeout, ct);
        Assert.Equal("ab\r", Encoding.ASCII.GetString(received));
    }
}
