using GuestAgentKit.Guest.Transport;
using GuestAgentKit.Posix;

namespace GuestAgentKit.Tests.Guest;

public sealed class HvcTransportTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task OpenAsync_PtySlave_RawAndFlushed()
    {
        var ct = TestContext.Current.CancellationToken;
        using var pty = Pty.Open();
        await pty.Master.WriteAsync("stale\r"u8.ToArray(), ct).AsTask().WaitAsync(Timeout, ct);
        var transport = new HvcTransport(pty.SlavePath);

        await using var stream = await transport.OpenAsync(ct).AsTask().WaitAsync(Timeout, ct);
        await pty.Master.WriteAsync(new byte[] { 0xFF, (byte)'\r', 0x00, 0x03 }, ct).AsTask().WaitAsync(Timeout, ct);

        var received = new byte[4];
        await stream.ReadExactlyAsync(received, ct).AsTask().WaitAsync(Timeout, ct);
        Assert.Equal(new byte[] { 0xFF, (byte)'\r', 0x00, 0x03 }, received);
        Assert.Contains(pty.SlavePath, transport.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAsync_MissingDevice_ThrowsIOException()
    {
        var transport = new HvcTransport("/dev/gak-missing-hvc");

        var error = await Assert.ThrowsAsync<PosixException>(() => transport.OpenAsync(TestContext.Current.CancellationToken).AsTask());
        Assert.Equal(2, error.Errno);
        Assert.IsAssignableFrom<IOException>(error);
    }
}
