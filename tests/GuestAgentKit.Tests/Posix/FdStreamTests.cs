using GuestAgentKit.Posix;

namespace GuestAgentKit.Tests.Posix;

public sealed class FdStreamTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task ReadAsync_Cancelled_EndsPromptlyAndStreamStaysUsable()
    {
        var ct = TestContext.Current.CancellationToken;
        using var pty = Pty.Open();
        await using var slave = Tty.OpenRaw(pty.SlavePath);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var buffer = new byte[16];

        var pending = slave.ReadAsync(buffer, cts.Token).AsTask();
        Assert.False(pending.IsCompleted);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.WaitAsync(Timeout, ct));

        await pty.Master.WriteAsync(new byte[] { 9 }, ct).AsTask().WaitAsync(Timeout, ct);
        Assert.Equal(1, await slave.ReadAsync(buffer, ct).AsTask().WaitAsync(Timeout, ct));
        Assert.Equal(9, buffer[0]);
    }

    [Fact]
    public async Task ReadAsync_MasterClosed_ReturnsZeroAndWriteThrowsHangUp()
    {
        var ct = TestContext.Current.CancellationToken;
        var pty = Pty.Open();
        await using var slave = Tty.OpenRaw(pty.SlavePath);
        var pending = slave.ReadAsync(new byte[16], ct).AsTask();

        pty.Dispose();

        Assert.Equal(0, await pending.WaitAsync(Timeout, ct));
        Assert.Equal(0, await slave.ReadAsync(new byte[16], ct).AsTask().WaitAsync(Timeout, ct));
        await Assert.ThrowsAsync<HangUpException>(() => slave.WriteAsync(new byte[] { 1 }, ct).AsTask().WaitAsync(Timeout, ct));
    }

    [Fact]
    public async Task Dispose_PendingRead_FailsWithObjectDisposed()
    {
        var ct = TestContext.Current.CancellationToken;
        using var pty = Pty.Open();
        var slave = Tty.OpenRaw(pty.SlavePath);
        var pending = slave.ReadAsync(new byte[16], ct).AsTask();

        await slave.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => pending.WaitAsync(Timeout, ct));
        Assert.False(slave.CanRead);
    }

    [Fact]
    public async Task ReadAndWrite_PendingTogether_BothComplete()
    {
        // A write blocked on a full queue and a read pending at the same time need two poller waits.
        var ct = TestContext.Current.CancellationToken;
        using var pty = Pty.Open();
        await using var slave = Tty.OpenRaw(pty.SlavePath);
        var big = new byte[1 << 20];
        var read = slave.ReadAsync(new byte[1], ct).AsTask();

        var write = pty.Master.WriteAsync(big, ct).AsTask();
        Assert.Equal(1, await read.WaitAsync(Timeout, ct));
        var drain = new byte[big.Length - 1];
        await slave.ReadExactlyAsync(drain, ct).AsTask().WaitAsync(Timeout, ct);
        await write.WaitAsync(Timeout, ct);
    }

    [Fact]
    public async Task Read_Synchronous_BlocksUntilDataArrives()
    {
        var ct = TestContext.Current.CancellationToken;
        using var pty = Pty.Open();
        await using var slave = Tty.OpenRaw(pty.SlavePath);
        var buffer = new byte[4];

        var reading = Task.Run(() => slave.Read(buffer, 0, buffer.Length), ct);
        pty.Master.Write([1, 2, 3]);

        Assert.Equal(3, await reading.WaitAsync(Timeout, ct));
        Assert.Equal(new byte[] { 1, 2, 3, 0 }, buffer);
    }

    [Fact]
    public async Task Streams_HundredPtys_OneDedicatedPollerServesAllConcurrently()
    {
        var ct = TestContext.Current.CancellationToken;
        using var poller = new FdPoller("test-hundred");
        var ptys = Enumerable.Range(0, 100).Select(_ => Pty.Open(poller: poller)).ToList();
        var slaves = ptys.Select(p => Tty.OpenRaw(p.SlavePath, poller)).ToList();
        try
        {
            // Every read is pending before any byte moves, so all 200 waits sit in the one poller at once.
            var slaveReads = slaves.Select(s => ReadOneAsync(s, ct)).ToList();
            var masterReads = ptys.Select(p => ReadOneAsync(p.Master, ct)).ToList();
            Assert.DoesNotContain(slaveReads.Concat(masterReads), t => t.IsCompleted);

            for (var i = 0; i < 100; i++)
            {
                await ptys[i].Master.WriteAsync(new[] { (byte)i }, ct);
                await slaves[i].WriteAsync(new[] { (byte)(255 - i) }, ct);
            }

            var toSlaves = await Task.WhenAll(slaveReads).WaitAsync(Timeout, ct);
            var toMasters = await Task.WhenAll(masterReads).WaitAsync(Timeout, ct);
            Assert.Equal(Enumerable.Range(0, 100).Select(i => (byte)i), toSlaves);
            Assert.Equal(Enumerable.Range(0, 100).Select(i => (byte)(255 - i)), toMasters);
        }
        finally
        {
            slaves.ForEach(s => s.Dispose());
            ptys.ForEach(p => p.Dispose());
        }
    }

    private static async Task<byte> ReadOneAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[1];
        Assert.Equal(1, await stream.ReadAsync(buffer, cancellationToken));
        return buffer[0];
    }
}
