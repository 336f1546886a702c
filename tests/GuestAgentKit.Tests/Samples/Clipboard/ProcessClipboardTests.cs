using System.Runtime.Versioning;
using GuestAgentKit.Samples.Clipboard.Guest;

namespace GuestAgentKit.Tests.Samples.Clipboard;

[SupportedOSPlatform("linux")]
public sealed class ProcessClipboardTests : IDisposable
{
    private const string Text = "héllo wörld 🎉\nsecond line\twith tab\r\nthird\n\n";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private readonly FakeClipboardTools _tools = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _tools.Dispose();

    public static TheoryData<string> Backends() => ["wayland", "x11"];

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task SetTextAsync_ThenGet_RoundTripsUtf8ByteForByte(string backend)
    {
        var clipboard = Create(backend);

        await clipboard.SetTextAsync(Text, Ct).WaitAsync(Timeout, Ct);

        Assert.Equal(Text, _tools.State);
        Assert.Equal(Text, await clipboard.GetTextAsync(Ct).WaitAsync(Timeout, Ct));
        Assert.Equal(backend, clipboard.Backend);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task SetTextAsync_OverLimit_RejectedNamingLimitWithoutRunningTool(string backend)
    {
        var clipboard = Create(backend);
        _tools.SetState("kept");

        var error = await Assert.ThrowsAsync<ClipboardTooLargeException>(() => clipboard.SetTextAsync(new string('x', ClipboardLimits.MaxTextBytes + 1), Ct).WaitAsync(Timeout, Ct));

        Assert.Contains("more than the limit of 1048576 bytes", error.Message, StringComparison.Ordinal);
        Assert.Equal("kept", _tools.State);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task GetTextAsync_OverLimit_RejectedNamingLimit(string backend)
    {
        var clipboard = Create(backend);
        _tools.SetState(new string('x', ClipboardLimits.MaxTextBytes + 100));

        var error = await Assert.ThrowsAsync<ClipboardTooLargeException>(() => clipboard.GetTextAsync(Ct).WaitAsync(Timeout, Ct));

        Assert.Equal(ClipboardLimits.MaxTextBytes, error.Limit);
        Assert.Contains("at least 1048577 bytes", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("wayland", "wl-paste exited with code 1: Nothing is copied")]
    [InlineData("x11", "xclip exited with code 1: Error: target UTF8_STRING not available")]
    public async Task GetTextAsync_ToolFails_ClipboardExceptionWithToolMessage(string backend, string message)
    {
        var error = await Assert.ThrowsAsync<ClipboardException>(() => Create(backend).GetTextAsync(Ct).WaitAsync(Timeout, Ct));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public async Task GetTextAsync_NotUtf8_Rejected()
    {
        await File.WriteAllBytesAsync(_tools.StatePath, [0x61, 0xff, 0x62], Ct);

        var error = await Assert.ThrowsAsync<ClipboardException>(() => Create("wayland").GetTextAsync(Ct).WaitAsync(Timeout, Ct));

        Assert.Equal("wl-paste returned clipboard data that is not UTF-8 text", error.Message);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task WatchAsync_AnotherAppCopies_YieldsCurrentThenNewText(string backend)
    {
        var clipboard = Create(backend);
        _tools.SetState("before");
        await using var watch = clipboard.WatchAsync(Ct).GetAsyncEnumerator(Ct);
        Assert.True(await watch.MoveNextAsync().AsTask().WaitAsync(Timeout, Ct));
        Assert.Equal("before", watch.Current);

        var next = watch.MoveNextAsync().AsTask();
        await Create(backend).SetTextAsync("after ✓", Ct).WaitAsync(Timeout, Ct); // the "other application"

        Assert.True(await next.WaitAsync(Timeout, Ct));
        Assert.Equal("after ✓", watch.Current);
    }

    private ProcessClipboard Create(string backend) => backend switch
    {
        "wayland" => new WaylandClipboard(
            Path.Join(_tools.Bin, "wl-paste"),
            Path.Join(_tools.Bin, "wl-copy"),
            new Dictionary<string, string> { ["WAYLAND_DISPLAY"] = "wayland-0" },
            TimeSpan.FromMilliseconds(20)),
        "x11" => new X11Clipboard(
            Path.Join(_tools.Bin, "xclip"),
            new Dictionary<string, string> { ["DISPLAY"] = ":0" },
            TimeSpan.FromMilliseconds(20)),
        _ => throw new ArgumentOutOfRangeException(nameof(backend)),
    };
}
