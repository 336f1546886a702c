using System.Text;
using GuestAgentKit.Posix;

namespace GuestAgentKit.Tests.Posix;

public sealed class TtyTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static byte[] AllByteValues(int repeat) =>
        Enumerable.Range(0, 256 * repeat).Select(i => (byte)i).ToArray();

    [Fact]
    public async Task OpenRaw_AllByteValues_RoundTripBothWaysUnchanged()
    {
        var ct = TestContext.Current.CancellationToken;
        using var pty = Pty.Open();
        await using var slave = Tty.OpenRaw(pty.SlavePath);
        var sent = AllByteValues(4);

        var toSlave = new byte[sent.Length];
        var reading = slave.ReadExactlyAsync(toSlave, ct).AsTask();
        await pty.Master.WriteAsync(sent, ct).AsTask().WaitAsync(Timeout, ct);
        await reading.WaitAsync(Timeout, ct);
        Assert.Equal(sent, toSlave);

        var toMaster = new byte[sent.Length];
        reading = pty.Master.ReadExactlyAsync(toMaster, ct).AsTask();
        await slave.WriteAsync(sent, ct).AsTask().WaitAsync(Timeout, ct);
        await reading.WaitAsync(Timeout, ct);
        Assert.Equal(sent, toMaster);
    }

    [Fact]
    public async Task Open_CookedSlave_TranslatesCarriageReturnAndEchoes()
    {
        // The control for the test above: without raw mode the same pty mangles bytes, so that test can fail.
        var ct = TestContext.Current.CancellationToken;
        using var pty = Pty.Open();
        await using var slave = Tty.Open(pty.SlavePath);

        await pty.Master.WriteAsync("ab\r"u8.ToArray(), ct).AsTask().WaitAsync(Timeout, ct);

        var received = new byte[3];
        await slave.ReadExactlyAsync(received, ct).AsTask().WaitAsync(Timeout, ct);
        Assert.Equal("ab\n", Encoding.ASCII.GetString(received)); // ICRNL
        var echoed = new byte[4];
        await pty.Master.ReadExactlyAsync(echoed, ct).AsTask().WaitAsync(Timeout, ct);
        Assert.Equal("ab\r\n", Encoding.ASCII.GetString(echoed)); // ECHO + ONLCR
    }

    [Fact]
    public async Task OpenRaw_BytesQueuedBeforeOpen_AreDiscarded()
    {
        var ct = TestContext.Current.CancellationToken;
        using var pty = Pty.Open();
        pty.MakeRaw(); // so the stale bytes are neither echoed nor held back as an unfinished line
        await pty.Master.WriteAsync("stale bytes"u8.ToArray(), ct).AsTask().WaitAsync(Timeout, ct);

        await using var slave = Tty.OpenRaw(pty.SlavePath);
        await pty.Master.WriteAsync("fresh"u8.ToArray(), ct).AsTask().WaitAsync(Timeout, ct);

        var received = new byte[64];
        var count = await slave.ReadAsync(received, ct).AsTask().WaitAsync(Timeout, ct);
        Assert.Equal("fresh", Encoding.ASCII.GetString(received, 0, count));
    }

    [Fact]
    public void OpenRaw_NotATerminal_ThrowsPosixExceptionWithEnotty()
    {
        var path = Path.GetTempFileName();
        try
        {
            var error = Assert.Throws<PosixException>(() => Tty.OpenRaw(path));
            Assert.Equal(25, error.Errno); // ENOTTY
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Open_MissingDevice_ThrowsPosixExceptionWithEnoent()
    {
        var error = Assert.Throws<PosixException>(() => Tty.Open("/dev/gak-no-such-tty"));
        Assert.Equal(2, error.Errno);
        Assert.Contains("/dev/gak-no-such-tty", error.Message, StringComparison.Ordinal);
    }
}
