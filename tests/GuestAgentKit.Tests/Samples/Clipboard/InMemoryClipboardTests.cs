using System.Runtime.Versioning;
using GuestAgentKit.Samples.Clipboard.Guest;

namespace GuestAgentKit.Tests.Samples.Clipboard;

[SupportedOSPlatform("linux")]
public sealed class InMemoryClipboardTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SetTextAsync_ThenGet_ReturnsSameText()
    {
        var clipboard = new InMemoryClipboard();

        await clipboard.SetTextAsync("héllo\nwörld 🎉", Ct).WaitAsync(Timeout, Ct);

        Assert.Equal("héllo\nwörld 🎉", await clipboard.GetTextAsync(Ct).WaitAsync(Timeout, Ct));
        Assert.Equal("memory", clipboard.Backend);
    }

    [Fact]
    public async Task WatchAsync_Changes_YieldsCurrentThenEachChange()
    {
        var clipboard = new InMemoryClipboard();
        await clipboard.SetTextAsync("first", Ct);
        await using var watch = clipboard.WatchAsync(Ct).GetAsyncEnumerator(Ct);

        Assert.True(await watch.MoveNextAsync().AsTask().WaitAsync(Timeout, Ct));
        Assert.Equal("first", watch.Current);
        await clipboard.SetTextAsync("second", Ct);
        Assert.True(await watch.MoveNextAsync().AsTask().WaitAsync(Timeout, Ct));
        Assert.Equal("second", watch.Current);
    }

    [Fact]
    public async Task WatchAsync_SlowConsumer_CoalescesToLatest()
    {
        var clipboard = new InMemoryClipboard();
        await using var watch = clipboard.WatchAsync(Ct).GetAsyncEnumerator(Ct);
        Assert.True(await watch.MoveNextAsync().AsTask().WaitAsync(Timeout, Ct));
        Assert.Equal("", watch.Current);

        await clipboard.SetTextAsync("a", Ct);
        await clipboard.SetTextAsync("b", Ct);
        await clipboard.SetTextAsync("c", Ct);
        await clipboard.SetTextAsync("c", Ct); // same text: not a change

        Assert.True(await watch.MoveNextAsync().AsTask().WaitAsync(Timeout, Ct));
        Assert.Equal("c", watch.Current);
        var next = watch.MoveNextAsync().AsTask();
        await clipboard.SetTextAsync("d", Ct);
        Assert.True(await next.WaitAsync(Timeout, Ct));
        Assert.Equal("d", watch.Current);
    }

    [Fact]
    public async Task WatchAsync_Cancelled_EndsWithCancellation()
    {
        var clipboard = new InMemoryClipboard();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        await using var watch = clipboard.WatchAsync(cts.Token).GetAsyncEnumerator(cts.Token);
        Assert.True(await watch.MoveNextAsync().AsTask().WaitAsync(Timeout, Ct));
        var next = watch.MoveNextAsync().AsTask();

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => next.WaitAsync(Timeout, Ct));
    }

    [Fact]
    public async Task SetTextAsync_OverLimit_RejectedNamingLimitAndUnchanged()
    {
        var clipboard = new InMemoryClipboard();
        await clipboard.SetTextAsync("kept", Ct);

        var error = await Assert.ThrowsAsync<ClipboardTooLargeException>(() => clipboard.SetTextAsync(new string('é', (ClipboardLimits.MaxTextBytes / 2) + 1), Ct));

        Assert.Equal(ClipboardLimits.MaxTextBytes + 2, error.ObservedBytes);
        Assert.Contains("limit of 1048576 bytes", error.Message, StringComparison.Ordinal);
        Assert.Equal("kept", await clipboard.GetTextAsync(Ct));
    }

    [Fact]
    public async Task SetTextAsync_ExactlyAtLimit_Accepted()
    {
        var clipboard = new InMemoryClipboard();
        var text = new string('x', ClipboardLimits.MaxTextBytes);

        await clipboard.SetTextAsync(text, Ct);

        Assert.Equal(text, await clipboard.GetTextAsync(Ct));
    }

    [Fact]
    public async Task SetTextAsync_UnpairedSurrogate_RejectedAsClipboardException()
    {
        var error = await Assert.ThrowsAsync<ClipboardException>(() => new InMemoryClipboard().SetTextAsync("a\ud800b", Ct));

        Assert.Contains("not valid Unicode", error.Message, StringComparison.Ordinal);
    }
}
