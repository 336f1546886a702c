using GuestAgentKit.XenStore;

namespace GuestAgentKit.Interop.Tests.Harness;

/// <summary>Every await of these tests is bounded: one timeout, one place.</summary>
internal static class Bounded
{
    /// <summary>How long one xenstore round trip or event may take on a busy 2-core machine.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static Task Within(this Task task) => task.WaitAsync(Timeout, Ct);

    public static Task<T> Within<T>(this Task<T> task) => task.WaitAsync(Timeout, Ct);

    /// <summary>The next event of a watch enumeration, or a <see cref="TimeoutException"/>.</summary>
    public static async Task<XsWatchEvent> NextAsync(this IAsyncEnumerator<XsWatchEvent> events)
    {
        Assert.True(await events.MoveNextAsync().AsTask().Within(), "the watch ended");
        return events.Current;
    }
}
