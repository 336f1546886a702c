using System.Runtime.Versioning;

namespace GuestAgentKit.Tests.Udev;

[SupportedOSPlatform("linux")]
public sealed class InstallScriptTests : IDisposable
{
    private const UnixFileMode Executable = (UnixFileMode)0b111_101_101; // 0755
    private const UnixFileMode Readable = (UnixFileMode)0b110_100_100; // 0644

    private readonly string _root = Directory.CreateTempSubdirectory("gak-install-").FullName;

    private static string Script => Path.Combine(ToolRun.RepositoryRoot, "udev", "install.sh");

    [Fact]
    public async Task Install_AgentBinaryIntoDestDir_InstallsFilesWithModes()
    {
        var agent = CreateAgentFile(Path.Combine(_root, "publish", "gak-agent"));
        var destdir = Path.Combine(_root, "dest");

        var run = await RunAsync("--agent", agent, "--destdir", destdir);

        Assert.True(run.ExitCode == 0, run.Error);
        AssertFile(Path.Combine(destdir, "usr/lib/guestagentkit/gak-agent"), Executable);
        var rules = AssertFile(Path.Combine(destdir, "usr/lib/udev/rules.d/90-gak-channel.rules"), Readable);
        var unit = AssertFile(Path.Combine(destdir, "usr/lib/systemd/system/gak-agent@.service"), Readable);
        Assert.Contains("IMPORT{program}=\"/usr/lib/guestagentkit/gak-agent udev-helper %k\"", rules, StringComparison.Ordinal);
        Assert.Contains("ExecStart=/usr/lib/guestagentkit/gak-agent run --device /dev/%I", unit, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Install_PublishDirectoryAndPrefix_CopiesDirectoryAndRewritesAgentPath()
    {
        var publish = Path.Combine(_root, "publish");
        CreateAgentFile(Path.Combine(publish, "gak-agent"));
        await File.WriteAllTextAsync(Path.Combine(publish, "gak-agent.dll"), "library", TestContext.Current.CancellationToken);
        var destdir = Path.Combine(_root, "dest");

        var run = await RunAsync("--agent", publish, "--destdir", destdir, "--prefix", "/usr/local");

        Assert.True(run.ExitCode == 0, run.Error);
        AssertFile(Path.Combine(destdir, "usr/local/lib/guestagentkit/gak-agent"), Executable);
        Assert.True(File.Exists(Path.Combine(destdir, "usr/local/lib/guestagentkit/gak-agent.dll")));
        var unit = AssertFile(Path.Combine(destdir, "usr/local/lib/systemd/system/gak-agent@.service"), Readable);
        Assert.Contains("ExecStart=/usr/local/lib/guestagentkit/gak-agent run", unit, StringComparison.Ordinal);
        Assert.DoesNotContain("/usr/lib/guestagentkit", unit, StringComparison.Ordinal);
        Assert.Contains("udev reads rules only from", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new string[0], "--agent is required")]
    [InlineData(new[] { "--agent", "/no/such/agent" }, "does not exist")]
    [InlineData(new[] { "--agent", "/bin/true", "--prefix", "relative" }, "absolute")]
    [InlineData(new[] { "--agent", "/bin/true", "--prefix", "/usr/a b" }, "may only contain")]
    [InlineData(new[] { "--agent", "/bin/true", "--destdir" }, "--destdir needs a value")]
    [InlineData(new[] { "--agent", "/bin/true", "--frobnicate" }, "unknown argument '--frobnicate'")]
    public async Task Install_BadArguments_RefusesWithExitCode2(string[] arguments, string message)
    {
        var run = await RunAsync(arguments);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(message, run.Error, StringComparison.Ordinal);
        Assert.Empty(run.Output);
    }

    [Fact]
    public async Task Install_DirectoryWithoutAgent_Refuses()
    {
        var run = await RunAsync("--agent", _root, "--destdir", Path.Combine(_root, "dest"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("has no executable gak-agent", run.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_root, "dest")));
    }

    [Fact]
    public async Task Help_PrintsUsage()
    {
        var run = await RunAsync("--help");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("--agent PATH", run.Output, StringComparison.Ordinal);
        Assert.Contains("--destdir DIR", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("set -euo", run.Output, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    internal static string CreateAgentFile(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "#!/bin/sh\nexit 0\n");
        File.SetUnixFileMode(path, Executable);
        return path;
    }

    private static string AssertFile(string path, UnixFileMode mode)
    {
        Assert.True(File.Exists(path), $"{path} missing");
        Assert.Equal(mode, File.GetUnixFileMode(path));
        return File.ReadAllText(path);
    }

    private static Task<ToolRun> RunAsync(params string[] arguments) =>
        ToolRun.RunAsync(Script, arguments, TestContext.Current.CancellationToken);
}
