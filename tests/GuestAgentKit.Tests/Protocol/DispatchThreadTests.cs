using System.Collections.Concurrent;
using GuestAgentKit.Protocol;

namespace GuestAgentKit.Tests.Protocol;

public sealed class DispatchThreadTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Post_ManyItems_RunOneAtATimeInOrderOnItsThreadWithItselfCurrent()
    {
        using var dispatch = new DispatchThread("test-dispatch");
        const int Count = 200;
        var order = new ConcurrentQueue<int>();
        var wrongPlace = 0;
        var running = 0;
        var overlaps = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        for (var i = 0; i < Count; i++)
        {
            dispatch.Post(
                state =>
                {
                    if (Interlocked.Increment(ref running) > 1)
                    {
                        Interlocked.Increment(ref overlaps);
                    }

                    if (Thread.CurrentThread.Name != "test-dispatch" || SynchronizationContext.Current != dispatch)
                    {
                        Interlocked.Increment(ref wrongPlace);
                    }

                    Thread.SpinWait(100);
                    order.Enqueue((int)state!);
                    Interlocked.Decrement(ref running);
                    if ((int)state! == Count - 1)
                    {
                        done.SetResult();
                    }
                },
                i);
        }

        await done.Task.WaitAsync(Timeout, TestContext.Current.CancellationToken);

        Assert.Equal(Enumerable.Range(0, Count), order);
        Assert.Equal(0, overlaps);
        Assert.Equal(0, wrongPlace);
    }

    [Fact]
    public async Task Post_AfterDispose_StillRunsOnTheThreadPool()
    {
        var dispatch = new DispatchThread("test-dispatch");
        dispatch.Dispose();
        var ran = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);

        dispatch.Post(_ => ran.SetResult(Thread.CurrentThread.IsThreadPoolThread), null);

        Assert.True(await ran.Task.WaitAsync(Timeout, TestContext.Current.CancellationToken));
    }
}
