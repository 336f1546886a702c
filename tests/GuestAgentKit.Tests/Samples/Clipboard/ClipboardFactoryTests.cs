using System.Runtime.Versioning;
using GuestAgentKit.Samples.Clipboard.Guest;

namespace GuestAgentKit.Tests.Samples.Clipboard;

[SupportedOSPlatform("linux")]
public sealed class ClipboardFactoryTests : IDisposable
{
    private readonly FakeClipboardTools _tools = new();

    public void Dispose() => _tools.Dispose();

    [Theory]
    [InlineData("wayland-0", ":0", "wayland")]
    [InlineData("wayland-0", null, "wayland")]
    [InlineData(null, ":0", "x11")]
    [InlineData("", ":0", "x11")]
    [InlineData(null, null, "memory")]
    [InlineData("", "", "memory")]
    public void Detect_DisplayVariables_PicksBackend(string? waylandDisplay, string? display, string expected)
    {
        var clipboard = ClipboardFactory.Detect(Environment(waylandDisplay, display, $"/nonexistent:{_tools.Bin}"));

        Assert.Equal(expected, clipboard.Backend);
    }

    [Fact]
    public void Detect_Wayland_UsesToolsFoundOnPath()
    {
        var clipboard = Assert.IsType<WaylandClipboard>(ClipboardFactory.Detect(Environment("wayland-0", null, _tools.Bin)));

        Assert.Equal(Path.Join(_tools.Bin, "wl-paste"), clipboard.ReadExecutable);
        Assert.Equal(Path.Join(_tools.Bin, "wl-copy"), clipboard.WriteExecutable);
    }

    [Fact]
    public void Detect_WaylandWithoutWlCopy_FallsBackToX11()
    {
        File.Delete(Path.Join(_tools.Bin, "wl-copy"));

        Assert.Equal("x11", ClipboardFactory.Detect(Environment("wayland-0", ":0", _tools.Bin)).Backend);
    }

    [Fact]
    public void Detect_ToolNotExecutable_NotUsed()
    {
        File.SetUnixFileMode(Path.Join(_tools.Bin, "xclip"), UnixFileMode.UserRead | UnixFileMode.UserWrite);

        Assert.Equal("memory", ClipboardFactory.Detect(Environment(null, ":0", _tools.Bin)).Backend);
    }

    [Fact]
    public void Detect_ToolsOnlyInRelativePathEntry_Ignored()
    {
        var relative = Path.GetRelativePath(System.Environment.CurrentDirectory, _tools.Bin);

        Assert.Equal("memory", ClipboardFactory.Detect(Environment("wayland-0", ":0", $"{relative}::.")).Backend);
    }

    [Fact]
    public async Task Detect_X11_PassesDisplayToTheTool()
    {
        var clipboard = ClipboardFactory.Detect(Environment(null, ":7", _tools.Bin));

        await clipboard.SetTextAsync("via detect", TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);

        Assert.Equal("via detect", _tools.State);
    }

    private static Dictionary<string, string> Environment(string? waylandDisplay, string? display, string path)
    {
        var environment = new Dictionary<string, string> { ["PATH"] = path };
        if (waylandDisplay is not null)
        {
            environment["WAYLAND_DISPLAY"] = waylandDisplay;
        }

        if (display is not null)
        {
            environment["DISPLAY"] = display;
        }

        return environment;
    }
}
