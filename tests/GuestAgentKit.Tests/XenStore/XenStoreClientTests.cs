using GuestAgentKit.Loopback.XenStored;
using GuestAgentKit.XenStore;

namespace GuestAgentKit.Tests.XenStore;

public sealed class XenStoreClientTests
{
    private static readonly TimeSpan Timeout = XenStoreHarness.Timeout;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Write_PayloadOverLimit_ArgumentExceptionBeforeSending()
    {
        await using var harness = await XenStoreHarness.StartAsync();
        var dom0 = await harness.ConnectDom0Async();
        var error = await Assert.ThrowsAsync<ArgumentException>(() => dom0.WriteAsync("/big", new byte[Limits.XenStorePayloadMax], Ct));
        Assert.Contains("4096", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(() => dom0.WriteAsync("/bad path", "x", Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => dom0.ReadAsync("@releaseDomain", Ct));
        // The connection is untouched.
        await dom0.WriteAsync("/ok", "1", Ct).WaitAsync(Timeout, Ct);
    }

    [Fact]
    public async Task Watch_DuplicateToken_Rejected()
    {
        await using var harness = await XenStoreHarness.StartAsync();
        var dom0 = await harness.ConnectDom0Async();
        await using var watch = await dom0.WatchAsync("/a", "same", Ct).WaitAsync(Timeout, Ct);
        await Assert.ThrowsAsync<ArgumentException>(() => dom0.WatchAsync("/b", "same", Ct));
    }

    [Fact]
    public async Task Watch_Disposed_UnwatchesAndEnds()
    {
        await using var harness = await XenStoreHarness.StartAsync();
        var dom0 = await harness.ConnectDom0Async();
        var watch = await dom0.WatchAsync("/u", "tok", Ct).WaitAsync(Timeout, Ct);
        await using var events = watch.GetAsyncEnumerator(Ct);
        Assert.True(await events.MoveNextAsync().AsTask().WaitAsync(Timeout, Ct));
        await watch.DisposeAsync().AsTask().WaitAsync(Timeout, Ct);
        Assert.False(await events.MoveNextAsync().AsTask().WaitAsync(Timeout, Ct));
        // The token is free again, so the server forgot the watch too (else EEXIST).
        await using var again = await dom0.WatchAsync("/u", "tok", Ct).WaitAsync(Timeout, Ct);
    }

    [Fact]
    public async Task Reconnect_ServerRestarted_WatchesReRegistered()
    {
        await using var harness = await XenStoreHarness.StartAsync();
        var endpoint = XenStoreEndpoint.FromPath(harness.SocketPath);
        await using var client = await XenStoreClient.ConnectAsync(endpoint, new XenStoreClientOptions { Reconnect = endpoint }, Ct).WaitAsync(Timeout, Ct);
        await using var watch = await client.WatchAsync("/r", "tok", Ct).WaitAsync(Timeout, Ct);
        await using var events = watch.GetAsyncEnumerator(Ct);
        Assert.True(await events.MoveNextAsync().AsTask().WaitAsync(Timeout, Ct));

        await harness.Server.DisposeAsync();
        await using var restarted = new EmbeddedXenStored();
        await restarted.StartAsync(harness.SocketPath, Ct);

        // Re-registration makes the new server fire the initial event again; then changes arrive.
        Assert.True(await events.MoveNextAsync().AsTask().WaitAsync(Timeout, Ct));
        Assert.Equal("/r", events.Current.Path);
        await client.WriteAsync("/r/x", "1", Ct).WaitAsync(Timeout, Ct);
        Assert.True(await events.MoveNextAsync().AsTask().WaitAsync(Timeout, Ct));
        Assert.Equal("/r/x", events.Current.Path);
        Assert.Equal("1", await client.ReadAsync("/r/x", Ct).WaitAsync(Timeout, Ct));
    }

    [Fact]
    public async Task ConnectAsync_NothingThere_IOExceptionNamesPath()
    {
        var path = Path.Combine(Path.GetTempPath(), "gak-none-" + Guid.NewGuid().ToString("N"));
        var error = await Assert.ThrowsAsync<IOException>(() => XenStoreClient.ConnectAsync(XenStoreEndpoint.FromPath(path), Ct).WaitAsync(Timeout, Ct));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }
}
