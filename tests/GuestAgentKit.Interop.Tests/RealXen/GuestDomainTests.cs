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
        var ct = TestContext.Current.CancellationToken;
        await using var store = await RealXenStored.StartAsync(kind, ct).WaitAsync(Timeout, ct);

        var result = await ChildProcess.RunAsync(
            store.StandIns.GuestDomain, ["5", "xenstore"], store.ClientEnvironment(), Timeout, ct);

        Assert.True(result.ExitCode == 0, result.ToString());
        var output = result.StandardOutput;
        Assert.Contains("ok introduced domain 5", output, StringComparison.Ordinal);
        Assert.Contains("ok guest read /local/domain/5/name = guest-5", output, StringComparison.Ordinal);
        Assert.Contains("ok guest relative write data/greeting visible to dom0 at /local/domain/5/data/greeting", output, StringComparison.Ordinal);
        Assert.Contains("ok guest write /tool/gak-secret = EACCES", output, StringComparison.Ordinal);
        Assert.Contains("ok guest read /tool/gak-secret = EACCES", output, StringComparison.Ordinal);
        Assert.Contains("ok @releaseDomain fired and domain 5 is no longer introduced", output, StringComparison.Ordinal);

        // The convention's side effects: the domain's marker is gone, its ring page stays its own file.
        Assert.False(File.Exists(Path.Combine(store.Root, "domains", "5")));
        Assert.Equal(4096, new FileInfo(Path.Combine(store.Root, "grants", "5", "1")).Length);
    }

    [Fact]
    public async Task Xenconsoled_GuestWritesConsoleRing_BytesReachPtyAndLog()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var store = await RealXenStored.StartAsync(XenStoredKind.C, ct).WaitAsync(Timeout, ct);
        await using var consoled = RealXenConsoled.Start(store);
        const string Text = "hello from the console ring";

        var result = await ChildProcess.RunAsync(
            store.StandIns.GuestDomain, ["7", "console", Text], store.ClientEnvironment(), Timeout, ct);

        Assert.True(result.ExitCode == 0, $"{result}; {consoled.ExitReport()}");
        Assert.Contains("ok xenconsoled serves console of domain 7 on /dev/pts/", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains($"ok console bytes arrived on the pty: {Text}", result.StandardOutput, StringComparison.Ordinal);
        // xenconsoled logged the same bytes before writing them to the pty.
        Assert.Equal(Text, await File.ReadAllTextAsync(Path.Combine(consoled.LogDirectory, "guest-guest-7.log"), ct));
    }
}
