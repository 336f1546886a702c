using GuestAgentKit.XenStore;
using GuestAgentKit.XenStore.Wire;

namespace GuestAgentKit.Tests.XenStore;

/// <summary>The send side: requests queued while a write is in progress go out together on a byte stream, one
/// whole message per write on a device, and nothing is written after a failed write.</summary>
public sealed class XsOutboxTests
{
    private static readonly TimeSpan Timeout = XenStoreHarness.Timeout;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Enqueue_WhileAWriteIsInProgress_QueuedMessagesFollowInOneWriteInOrder()
    {
        var (messages, writes, failure) = await QueueBehindFirstWriteAsync(oneMessagePerWrite: false);

        Assert.Null(failure);
        Assert.Equal(2, writes.Count);
        Assert.Equal(messages[0], writes[0]);
        Assert.Equal(messages.Skip(1).SelectMany(m => m), writes[1]);
    }

    [Fact]
    public async Task Enqueue_OneMessagePerWrite_EachWriteIsOneWholeMessageInOrder()
    {
        var (messages, writes, failure) = await QueueBehindFirstWriteAsync(oneMessagePerWrite: true);

        Assert.Null(failure);
        Assert.Equal(messages, writes);
    }

    [Fact]
    public async Task Enqueue_WriteFails_ReportedOnceAndNothingWrittenAfter()
    {
        await using var stream = new GatedStream(fail: true);
        var failures = 0;
        var failed = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        var outbox = new XsOutbox(stream, oneMessagePerWrite: false, ex =>
        {
            Interlocked.Increment(ref failures);
            failed.TrySetResult(ex);
        });

        Enqueue(outbox, Messages(1)[0]);
        stream.Open();
        var reason = await failed.Task.WaitAsync(Timeout, Ct);
        foreach (var message in Messages(5))
        {
            Enqueue(outbox, message);
        }

        Assert.IsType<IOException>(reason);
        Assert.Equal(1, Volatile.Read(ref failures));
        Assert.Equal(1, stream.WriteAttempts);
    }

    /// <summary>Queues ten messages, the last nine while the first one's write is held, then lets the writes through:
    /// the messages, what the stream got (one entry per write) and the outbox's failure, if any.</summary>
    private static async Task<(List<byte[]> Messages, List<byte[]> Writes, Exception? Failure)> QueueBehindFirstWriteAsync(bool oneMessagePerWrite)
    {
        await using var stream = new GatedStream();
        Exception? failure = null;
        var outbox = new XsOutbox(stream, oneMessagePerWrite, ex => failure = ex);
        var messages = Messages(10);

        Enqueue(outbox, messages[0]);
        await stream.FirstWriteStarted.WaitAsync(Timeout, Ct);
        foreach (var message in messages.Skip(1))
        {
            Enqueue(outbox, message);
        }

        stream.Open();
        var writes = await stream.WaitForBytesAsync(messages.Sum(m => m.Length));
        return (messages, writes, failure);
    }

    /// <summary>Encoded requests of different lengths, so that a torn or merged message would show.</summary>
    private static List<byte[]> Messages(int count) =>
        [.. Enumerable.Range(1, count).Select(i => new XsMessage(XsMessageType.Write, (uint)i, 0, XsPayload.PathAndValue("/n" + i, new byte[i])).Encode())];

    private static void Enqueue(XsOutbox outbox, byte[] message) =>
        outbox.Enqueue(XsHeader.Read(message), message.AsSpan(XsHeader.Size));

    /// <summary>Records each write; every write waits until <see cref="Open"/>, so that later messages queue up
    /// behind the first. With <c>fail</c>, writes throw instead.</summary>
    private sealed class GatedStream(bool fail = false) : Stream
    {
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _firstWriteStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Lock _gate = new();
        private readonly List<byte[]> _writes = [];
        private int _writeAttempts;

        public Task FirstWriteStarted => _firstWriteStarted.Task;

        public int WriteAttempts => Volatile.Read(ref _writeAttempts);

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public void Open() => _open.TrySetResult();

        public async Task<List<byte[]>> WaitForBytesAsync(int total)
        {
            var deadline = DateTime.UtcNow + Timeout;
            while (true)
            {
                lock (_gate)
                {
                    if (_writes.Sum(w => w.Length) >= total)
                    {
                        return [.. _writes];
                    }
                }

                Assert.True(DateTime.UtcNow < deadline, $"fewer than {total} bytes were written");
                await Task.Delay(10, Ct);
            }
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _writeAttempts);
            _firstWriteStarted.TrySetResult();
            await _open.Task.ConfigureAwait(false);
            if (fail)
            {
                throw new IOException("the peer went away");
            }

            lock (_gate)
            {
                _writes.Add(buffer.ToArray());
            }
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
