namespace GuestAgentKit.Interop.Tests.RealXen;

/// <summary>
/// An unprivileged domain (tests/native/guest_domain.c) introduced to Debian's real xenstored and
/// oxenstored, talking over its xenstore ring page and event channel on the loopback.
/// </summary>
public sealed class GuestDomainTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData(XenStoredKind.C)]
    [InlineData(XenStoredKind.OCaml)]
    public async Task XenStoreRing_UnprivilegedDomain_SeesRealPermissionsAndRelease(XenStoredKind kind)
    {
        var output = await RunGuestAsync(kind, "xenstore");

        Assert.Contains("ok introduced domain 5", output, StringComparison.Ordinal);
        Assert.Contains("ok guest read /local/domain/5/name = guest-5", output, StringComparison.Ordinal);
        Assert.Contains("ok guest relative write data/greeting visible to dom0 at /local/domain/5/data/greeting", output, StringComparison.Ordinal);
        Assert.Contains("ok guest write /tool/gak-secret = EACCES", output, StringComparison.Ordinal);
        Assert.Contains("ok guest read /tool/gak-secret = EACCES", output, StringComparison.Ordinal);
        Assert.Contains("ok @releaseDomain fired and domain 5 is no longer introduced", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(XenStoredKind.C)]
    [InlineData(XenStoredKind.OCaml)]
    public async Task MarkerRemoved_NoReleaseCall_DaemonFiresReleaseDomain(XenStoredKind kind)
    {
        // The stand-in's VIRQ_DOM_EXC (inotify on R/domains) is the daemon's only way to learn this.
        var output = await RunGuestAsync(kind, "xenstore-vanish");

        Assert.Contains("ok @releaseDomain fired without XS_RELEASE and domain 5 is no longer introduced", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(XenStoredKind.C)]
    [InlineData(XenStoredKind.OCaml)]
    public async Task Xenconsoled_GuestConsoleRing_BytesFlowBothWaysThroughPty(XenStoredKind kind)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var store = await RealXenStored.StartAsync(kind, ct).WaitAsync(RealXenStored.StartTimeout, ct);
        await using var consoled = RealXenConsoled.Start(store);
        const string Text = "hello from the console ring";

        var result = await ChildProcess.RunAsync(
            store.StandIns.GuestDomain, ["7", "console", Text], store.ClientEnvironment(), Timeout, ct);

        Assert.True(result.ExitCode == 0, $"{result}; {consoled.ExitReport()}");
        Assert.Contains("ok xenconsoled serves console of domain 7 on /dev/pts/", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains($"ok console bytes arrived on the pty: {Text}", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("ok pty input arrived in the console in ring: typed on the pty", result.StandardOutput, StringComparison.Ordinal);
        // xenconsoled logged the same bytes before writing them to the pty.
        Assert.Equal(Text, await File.ReadAllTextAsync(Path.Combine(consoled.LogDirectory, "guest-guest-7.log"), ct));
    }

    private static async Task<string> RunGuestAsync(XenStoredKind kind, string mode)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var store = await RealXenStored.StartAsync(kind, ct).WaitAsync(RealXenStored.StartTimeout, ct);

        var result = await ChildProcess.RunAsync(store.StandIns.GuestDomain, ["5", mode], store.ClientEnvironment(), Timeout, ct);

        Assert.True(result.ExitCode == 0, result.ToString());
        // The convention's side effects: the marker is gone, the ring page is still the domain's own file.
        Assert.False(File.Exists(Path.Combine(store.Root, "domains", "5")));
        Assert.Equal(4096, new FileInfo(Path.Combine(store.Root, "grants", "5", "1")).Length);
        return result.StandardOutput;
    }
}
