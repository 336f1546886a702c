using GuestAgentKit.Guest.Transport;
using GuestAgentKit.Posix;
using Microsoft.Extensions.Time.Testing;

namespace GuestAgentKit.Tests.Guest;

public sealed class ReopeningChannelTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Initial = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan Stable = TimeSpan.FromSeconds(30);

    private readonly FakeTimeProvider _time = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("gak-reopen-").FullName;
    private readonly ReopenBackoff _backoff = new(Initial, TimeSpan.FromSeconds(10), Stable);

    private string DevicePath => Path.Combine(_directory, "hvc1");

    [Fact]
    public async Task OpenAsync_DeviceAppearsLater_RetriesWithDoublingDelays()
    {
        var ct = TestContext.Current.CancellationToken;
        using var pty = Pty.Open();
        var channel = new ReopeningChannel(new HvcTransport(DevicePath), _backoff, _time);

        // The first attempt runs at once and fails; fake time only moves when the test moves it.
        var opening = channel.OpenAsync(ct).AsTask();
        Assert.Equal(1, channel.ConsecutiveFailures);
        _time.Advance(Initial - TimeSpan.FromTicks(1));
        Assert.Equal(1, channel.ConsecutiveFailures);
        _time.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(2, channel.ConsecutiveFailures);
        _time.Advance((2 * Initial) - TimeSpan.FromTicks(1));
        Assert.False(opening.IsCompleted);

        File.CreateSymbolicLink(DevicePath, pty.SlavePath); // what udev (or the loopback emulator) does
        _time.Advance(TimeSpan.FromTicks(1));

        await using var stream = await opening.WaitAsync(Timeout, ct);
        await pty.Master.WriteAsync(new byte[] { 42 }, ct).AsTask().WaitAsync(Timeout, ct);
        Assert.Equal(42, await ReadByteAsync(stream, ct));
    }

    [Fact]
    public async Task OpenAsync_AfterShortSession_WaitsAndAfterStableSession_OpensAtOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        using var pty = Pty.Open();
        File.CreateSymbolicLink(DevicePath, pty.SlavePath);
        var channel = new ReopeningChannel(new HvcTransport(DevicePath), _backoff, _time);

        var first = await channel.OpenAsync(ct).AsTask().WaitAsync(Timeout, ct);
        await first.DisposeAsync();

        // The session ended at once (a device that keeps hanging up): the next open waits.
        var second = channel.OpenAsync(ct).AsTask();
        Assert.False(second.IsCompleted);
        Assert.Equal(1, channel.ConsecutiveFailures);
        _time.Advance(Initial);
        await (await second.WaitAsync(Timeout, ct)).DisposeAsync();

        // A long session (a resume after hours) resets the count: reopen immediately.
        _time.Advance(Stable);
        var third = channel.OpenAsync(ct).AsTask();
        Assert.True(third.IsCompleted);
        Assert.Equal(0, channel.ConsecutiveFailures);
        await (await third).DisposeAsync();
    }

    [Fact]
    public async Task OpenAsync_CancelledWhileWaiting_ThrowsOperationCanceled()
    {
        var ct = TestContext.Current.CancellationToken;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var channel = new ReopeningChannel(new HvcTransport(DevicePath), _backoff, _time);

        var opening = channel.OpenAsync(cts.Token).AsTask();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => opening.WaitAsync(Timeout, ct));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static async Task<byte> ReadByteAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[1];
        await stream.ReadExactlyAsync(buffer, cancellationToken).AsTask().WaitAsync(Timeout, cancellationToken);
        return buffer[0];
    }
}
