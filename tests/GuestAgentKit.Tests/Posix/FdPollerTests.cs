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

    public void Dispose()
    {
        _poller.Dispose();
        _reader.Dispose();
        _writer.Dispose();
    }
}
