using GuestAgentKit.Posix;

namespace GuestAgentKit.Tests.Loopback;

public sealed class HvcConsoleTests
{
    private static readonly TimeSpan Timeout = LoopbackTestXen.Timeout;

    [Fact]
    public async Task Console_BackendConnects_OneMebibyteEachWayArrivesIntact()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var lb = await LoopbackTestXen.StartAsync();
        var entry = await lb.Xen.CreateDomainAsync("web", null, ct).WaitAsync(Timeout, ct);
        await using var backend = await TestConsoleBackend.ProvisionAsync(lb.Dom0, lb.Root, entry.Id, 1, ct);
        await backend.ConnectAsync(ct).WaitAsync(Timeout, ct);
        var hvc = Path.Combine(entry.GuestDirectory, "hvc1");
        await using var tty = Tty.OpenRaw(hvc);

        var toGuest = RandomBytes(1, 1 << 20);
        var fromGuest = RandomBytes(2, 1 << 20);
        var writeIn = backend.Ring!.WriteAsync(toGuest, ct).AsTask();
        var writeOut = tty.WriteAsync(fromGuest, ct).AsTask();
        var readIn = ReadExactlyAsync(tty, toGuest.Length, ct);
        var readOut = ReadExactlyAsync(backend.Ring, fromGuest.Length, ct);
        await Task.WhenAll(writeIn, writeOut, readIn, readOut).WaitAsync(TimeSpan.FromSeconds(60), ct);

        Assert.Equal(toGuest, await readIn);
        Assert.Equal(fromGuest, await readOut);
    }

    [Fact]
    public async Task Console_NobodyDrainsRing_WriterBlocksAndNothingIsLost()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var lb = await LoopbackTestXen.StartAsync();
        var entry = await lb.Xen.CreateDomainAsync("web", null, ct).WaitAsync(Timeout, ct);
        await using var backend = await TestConsoleBackend.ProvisionAsync(lb.Dom0, lb.Root, entry.Id, 1, ct);
        await backend.ConnectAsync(ct).WaitAsync(Timeout, ct);
        await using var tty = Tty.OpenRaw(Path.Combine(entry.GuestDirectory, "hvc1"));
        var data = RandomBytes(3, 64 * 1024);

        var write = tty.WriteAsync(data, ct).AsTask();
        await Task.WhenAny(write, Task.Delay(TimeSpan.FromMilliseconds(500), ct));
        Assert.False(write.IsCompleted); // ring (1 KiB) + pty buffers hold far less than 64 KiB

        var received = await ReadExactlyAsync(backend.Ring!, data.Length, ct).WaitAsync(Timeout, ct);
        await write.WaitAsync(Timeout, ct);
        Assert.Equal(data, received);
    }

    [Fact]
    public async Task Console_BackendClosing_TtyHangsUpAndFrontendCloses()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var lb = await LoopbackTestXen.StartAsync();
        var entry = await lb.Xen.CreateDomainAsync("web", null, ct).WaitAsync(Timeout, ct);
        await using var backend = await TestConsoleBackend.ProvisionAsync(lb.Dom0, lb.Root, entry.Id, 1, ct);
        await backend.ConnectAsync(ct).WaitAsync(Timeout, ct);
        var hvc = Path.Combine(entry.GuestDirectory, "hvc1");
        await using var tty = Tty.OpenRaw(hvc);

        await lb.Dom0.WriteAsync($"{backend.Backend}/state", "5", ct);

        var buffer = new byte[16];
        Assert.Equal(0, await tty.ReadAsync(buffer, ct).AsTask().WaitAsync(Timeout, ct));
        await LoopbackTestXen.WaitForValueAsync(lb.Dom0, $"{backend.Frontend}/state", "6");
        Assert.False(File.Exists(hvc));
    }

    [Fact]
    public async Task Console_BackendRestarts_TtyStaysAndUnreadRingBytesArrive()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var lb = await LoopbackTestXen.StartAsync();
        var entry = await lb.Xen.CreateDomainAsync("web", null, ct).WaitAsync(Timeout, ct);
        await using var backend = await TestConsoleBackend.ProvisionAsync(lb.Dom0, lb.Root, entry.Id, 1, ct);
        await backend.ConnectAsync(ct).WaitAsync(Timeout, ct);
        await using var tty = Tty.OpenRaw(Path.Combine(entry.GuestDirectory, "hvc1"));
        await tty.WriteAsync("before restart"u8.ToArray(), ct);
        var ringRef = await lb.Dom0.ReadAsync($"{backend.Frontend}/ring-ref", ct);

        await backend.CrashAsync();
        await lb.Dom0.WriteAsync($"{backend.Backend}/state", "2", ct);
        await backend.ConnectAsync(ct).WaitAsync(Timeout, ct);

        Assert.Equal(ringRef, await lb.Dom0.ReadAsync($"{backend.Frontend}/ring-ref", ct));
        Assert.Equal("before restart"u8.ToArray(), await ReadExactlyAsync(backend.Ring!, 14, ct).WaitAsync(Timeout, ct));
        await tty.WriteAsync("after"u8.ToArray(), ct);
        Assert.Equal("after"u8.ToArray(), await ReadExactlyAsync(backend.Ring!, 5, ct).WaitAsync(Timeout, ct));
    }

    [Fact]
    public async Task Console_DevidsOneAndThree_BecomeHvc1AndHvc2()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var lb = await LoopbackTestXen.StartAsync();
        var entry = await lb.Xen.CreateDomainAsync("web", null, ct).WaitAsync(Timeout, ct);
        await using var first = await TestConsoleBackend.ProvisionAsync(lb.Dom0, lb.Root, entry.Id, 1, ct);
        await first.ConnectAsync(ct).WaitAsync(Timeout, ct);
        await using var third = await TestConsoleBackend.ProvisionAsync(lb.Dom0, lb.Root, entry.Id, 3, ct);
        await third.ConnectAsync(ct).WaitAsync(Timeout, ct);

        Assert.Equal(
            ["hvc0", "hvc1", "hvc2"],
            entry.ConsoleDevices().Select(Path.GetFileName));
        await using var tty = Tty.OpenRaw(Path.Combine(entry.GuestDirectory, "hvc2"));
        await third.Ring!.WriteAsync("three"u8.ToArray(), ct);
        Assert.Equal("three"u8.ToArray(), await ReadExactlyAsync(tty, 5, ct).WaitAsync(Timeout, ct));
    }

    private static byte[] RandomBytes(int seed, int length)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static async Task<byte[]> ReadExactlyAsync(Stream stream, int length, CancellationToken ct)
    {
        var buffer = new byte[length];
        await stream.ReadExactlyAsync(buffer, ct);
        return buffer;
    }
}
