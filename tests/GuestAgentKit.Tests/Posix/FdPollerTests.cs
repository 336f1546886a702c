using System.IO.Pipes;
using GuestAgentKit.Posix;

namespace GuestAgentKit.Tests.Posix;

public sealed class FdPollerTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly FdPoller _poller = new("test-poller");
    private readonly AnonymousPipeServerStream _writer = new(PipeDirection.Out);
    private readonly AnonymousPipeClientStream _reader;

    public FdPollerTests()
    {
        _reader = new AnonymousPipeClientStream(PipeDirection.In, _writer.ClientSafePipeHandle);
    }

    private int ReadFd => (int)_reader.SafePipeHandle.DangerousGetHandle();

    [Fact]
    public async Task WaitAsync_DataWritten_CompletesWithIn()
    {
        var wait = _poller.WaitAsync(ReadFd, PollEvents.In, TestContext.Current.CancellationToken).AsTask();
        Assert.False(wait.IsCompleted);

        _writer.WriteByte(42);

        Assert.Equal(PollEvents.In, await wait.WaitAsync(Timeout, TestContext.Current.CancellationToken) & PollEvents.In);
    }

    [Fact]
    public async Task WaitAsync_Cancelled_ThrowsAndDescriptorStaysUsable()
    {
        using var cts = new CancellationTokenSource();
        var wait = _poller.WaitAsync(ReadFd, PollEvents.In, cts.Token).AsTask();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait.WaitAsync(Timeout, TestContext.Current.CancellationToken));

        var second = _poller.WaitAsync(ReadFd, PollEvents.In, TestContext.Current.CancellationToken).AsTask();
        _writer.WriteByte(1);
        Assert.True((await second.WaitAsync(Timeout, TestContext.Current.CancellationToken)).HasFlag(PollEvents.In));
    }

    [Fact]
    public async Task WaitAsync_WriterClosed_ReportsHangUp()
    {
        var wait = _poller.WaitAsync(ReadFd, PollEvents.In, TestContext.Current.CancellationToken).AsTask();
        _writer.Dispose();

        Assert.True((await wait.WaitAsync(Timeout, TestContext.Current.CancellationToken)).HasFlag(PollEvents.HangUp));
    }

    [Fact]
    public async Task Forget_PendingWait_FailsWithObjectDisposed()
    {
        var wait = _poller.WaitAsync(ReadFd, PollEvents.In, TestContext.Current.CancellationToken).AsTask();
        _poller.Forget(ReadFd);

        await Assert.ThrowsAsync<ObjectDisposedException>(() => wait.WaitAsync(Timeout, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task WaitAsync_ManyDescriptors_OneThreadServesAll()
    {
        var pipes = Enumerable.Range(0, 200).Select(_ => new AnonymousPipeServerStream(PipeDirection.Out)).ToList();
        var readers = pipes.Select(p => new AnonymousPipeClientStream(PipeDirection.In, p.ClientSafePipeHandle)).ToList();
        try
        {
            var waits = readers.Select(r => _poller.WaitAsync((int)r.SafePipeHandle.DangerousGetHandle(), PollEvents.In, TestContext.Current.CancellationToken).AsTask()).ToList();
            foreach (var p in pipes)
            {
                p.WriteByte(7);
            }

            var results = await Task.WhenAll(waits).WaitAsync(Timeout, TestContext.Current.CancellationToken);
            Assert.All(results, r => Assert.True(r.HasFlag(PollEvents.In)));
        }
        finally
        {
            readers.ForEach(r => r.Dispose());
            pipes.ForEach(p => p.Dispose());
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task WaitAsync_ContinueOnPollerThread_DecidesWhichThreadRunsTheContinuation(bool continueOnPollerThread)
    {
        var wait = _poller.WaitAsync(ReadFd, PollEvents.In, continueOnPollerThread, TestContext.Current.CancellationToken);
        var continued = ThreadAfterAsync(wait);

        _writer.WriteByte(1);

        Assert.Equal(continueOnPollerThread, await continued.WaitAsync(Timeout, TestContext.Current.CancellationToken) == "test-poller");
    }

    [Fact]
    public async Task WaitAsync_ContinueOnPollerThreadCancelled_ContinuationDoesNotRunInsideCancel()
    {
        using var cts = new CancellationTokenSource();
        var wait = _poller.WaitAsync(ReadFd, PollEvents.In, continueOnPollerThread: true, cts.Token);
        var cancelling = -1;
        var ranInsideCancel = RunsInsideAsync(wait, () => Volatile.Read(ref cancelling));

        Volatile.Write(ref cancelling, Environment.CurrentManagedThreadId);
        cts.Cancel();
        Volatile.Write(ref cancelling, -1);

        Assert.False(await ranInsideCancel.WaitAsync(Timeout, TestContext.Current.CancellationToken));
    }

    private static async Task<string?> ThreadAfterAsync(ValueTask<PollEvents> wait)
    {
        await wait.ConfigureAwait(false);
        return Thread.CurrentThread.Name;
    }

    /// <summary>Whether the continuation of the failed wait ran on the thread <paramref name="busyThread"/> names at that moment.</summary>
    private static async Task<bool> RunsInsideAsync(ValueTask<PollEvents> wait, Func<int> busyThread)
    {
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await wait.ConfigureAwait(false)).ConfigureAwait(false);
        return busyThread() == Environment.CurrentManagedThreadId;
    }

    public void Dispose()
    {
        _poller.Dispose();
        _reader.Dispose();
        _writer.Dispose();
    }
}
