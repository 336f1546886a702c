using System.IO.Ports;
using GuestAgentKit.Guest.Transport;
using GuestAgentKit.Posix;

namespace GuestAgentKit.Tests.Guest;

public sealed class SerialPortTransportTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task OpenAsync_PtySlaveWithSettings_MovesAllByteValuesBothWays()
    {
        var ct = TestContext.Current.CancellationToken;
        using var pty = Pty.Open();
        var transport = new SerialPortTransport(pty.SlavePath, new SerialLineSettings(9600, Parity.None, 8, StopBits.One));

        await using var stream = await transport.OpenAsync(ct).AsTask().WaitAsync(Timeout, ct);
        var sent = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();

        await pty.Master.WriteAsync(sent, ct).AsTask().WaitAsync(Timeout, ct);
        var received = new byte[sent.Length];
        await stream.ReadExactlyAsync(received, ct).AsTask().WaitAsync(Timeout, ct);
        Assert.Equal(sent, received);

        await stream.WriteAsync(sent, ct).AsTask().WaitAsync(Timeout, ct);
        await stream.FlushAsync(ct).WaitAsync(Timeout, ct);
        await pty.Master.ReadExactlyAsync(received, ct).AsTask().WaitAsync(Timeout, ct);
        Assert.Equal(sent, received);
        Assert.Equal("9600 8N1", transport.Description[(transport.Description.IndexOf("serial ", StringComparison.Ordinal) + 7)..].TrimEnd(')'));
    }

    [Fact]
    public async Task Dispose_Stream_ClosesThePortSoItCanBeOpenedAgain()
    {
        var ct = TestContext.Current.CancellationToken;
        using var pty = Pty.Open();
        var transport = new SerialPortTransport(pty.SlavePath);

        var first = await transport.OpenAsync(ct).AsTask().WaitAsync(Timeout, ct);
        await first.DisposeAsync();
        Assert.False(first.CanRead);

        await using var second = await transport.OpenAsync(ct).AsTask().WaitAsync(Timeout, ct);
        Assert.True(second.CanRead);
    }
}
