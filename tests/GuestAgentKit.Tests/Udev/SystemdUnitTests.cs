using System.Runtime.Versioning;

namespace GuestAgentKit.Tests.Udev;

/// <summary>
/// The unit checked by systemd's own parser: <c>systemd-analyze verify</c> (Debian package <c>systemd</c>)
/// on the unit as install.sh installs it, with the agent path pointing at a stand-in executable.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class SystemdUnitTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("gak-unit-").FullName;

    private string UnitDirectory => Path.Combine(_root, "usr/lib/systemd/system");

    [Fact]
    public async Task Verify_InstalledUnit_NoFindings()
    {
        await InstallAsync();

        var run = await VerifyAsync();

        Assert.True(run.ExitCode == 0 && run.Error.Length == 0, $"exit {run.ExitCode}: {run.Error}");
    }

    [Fact]
    public async Task Verify_MisspelledDirective_IsReported()
    {
        // Control: shows the check above can fail.
        await InstallAsync();
        var unit = Path.Combine(UnitDirectory, "gak-agent@.service");
        await File.WriteAllTextAsync(unit, (await File.ReadAllTextAsync(unit, TestContext.Current.CancellationToken)).Replace("NoNewPrivileges=", "NoNewPrivilegez=", StringComparison.Ordinal), TestContext.Current.CancellationToken);

        var run = await VerifyAsync();

        Assert.Contains("NoNewPrivilegez", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unit_BindsToDeviceAndRunsAgentOnIt()
    {
        var unit = await File.ReadAllLinesAsync(Path.Combine(ToolRun.RepositoryRoot, "udev", "gak-agent@.service"), TestContext.Current.CancellationToken);

        Assert.Contains("BindsTo=dev-%i.device", unit);
        Assert.Contains("After=dev-%i.device", unit);
        Assert.Contains("ExecStart=/usr/lib/guestagentkit/gak-agent run --device /dev/%I", unit);
        Assert.Contains("Restart=on-failure", unit);
        Assert.Contains("NoNewPrivileges=yes", unit);
        Assert.Contains("RestrictAddressFamilies=AF_UNIX AF_NETLINK", unit);
        Assert.DoesNotContain(unit, line => line.StartsWith("ProtectSystem=strict", StringComparison.Ordinal) || line.StartsWith("ProtectHostname=", StringComparison.Ordinal));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private async Task InstallAsync()
    {
        var agent = InstallScriptTests.CreateAgentFile(Path.Combine(_root, "publish", "gak-agent"));
        var run = await ToolRun.RunAsync(
            Path.Combine(ToolRun.RepositoryRoot, "udev", "install.sh"),
            ["--agent", agent, "--prefix", Path.Combine(_root, "usr"), "--no-reload"],
            TestContext.Current.CancellationToken);
        Assert.True(run.ExitCode == 0, run.Error);
    }

    private Task<ToolRun> VerifyAsync() =>
        ToolRun.RunAsync("systemd-analyze", ["verify", Path.Combine(UnitDirectory, "gak-agent@hvc1.service")], TestContext.Current.CancellationToken);
}
