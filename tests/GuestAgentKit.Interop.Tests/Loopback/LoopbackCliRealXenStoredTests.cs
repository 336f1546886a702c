using GuestAgentKit.Interop.Tests.Harness;
using GuestAgentKit.Interop.Tests.RealXen;
using GuestAgentKit.Xen;

namespace GuestAgentKit.Interop.Tests.Loopback;

/// <summary>
/// The switch itself, as processes: <c>gak-host loopback start --real-xenstored</c> on Debian's running daemon,
/// <c>gak-host loopback create/destroy</c>, and Debian's <c>xenstore-read</c> as the guest through the emulated
/// <c>/dev/xen/xenbus</c> (carried over the domain's ring page to the real daemon).
/// </summary>
public sealed class LoopbackCliRealXenStoredTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string GakHost => Path.Combine(AppContext.BaseDirectory, "gak-host.dll");

    [Theory]
    [InlineData(XenStoredKind.C)]
    [InlineData(XenStoredKind.OCaml)]
    public async Task LoopbackStart_RealXenStoredSwitch_GuestXenbusServedAndDestroyReleases(XenStoredKind kind)
    {
        await using var store = await RealXenStored.StartAsync(kind, Ct).WaitAsync(RealXenStored.StartTimeout, Ct);
        var noEnvironment = new Dictionary<string, string>();
        using var loopback = ChildProcess.Start("dotnet", [GakHost, "loopback", "start", "--dir", store.Root, "--real-xenstored", store.SocketPath], noEnvironment);
        try
        {
            var log = ProcessLog.Follow(loopback, "gak-host loopback start");
            await log.WaitForAsync($"ready {store.Root} {store.SocketPath}").WaitAsync(RealXenLoopback.Timeout, Ct);

            // oxenstored may refuse a connect while its tiny backlog is full: the CLI then fails and is run again.
            var create = await RunHostAsync(["loopback", "create", "--dir", store.Root, "--name", "cli"]);
            var id = ushort.Parse(create.StandardOutput.Trim(), System.Globalization.CultureInfo.InvariantCulture);
            await log.WaitForAsync($"domain {id} (cli): guest started").WaitAsync(RealXenLoopback.Timeout, Ct);
            var xenbus = Path.Combine(store.Root, "guests", id.ToString(System.Globalization.CultureInfo.InvariantCulture), "xenbus");
            var read = await ChildProcess.RunAsync(
                XenPackages.Tool("xenstore-read"), ["name", "domid"], new Dictionary<string, string> { ["XENSTORED_PATH"] = xenbus }, ChildProcess.DefaultTimeout, Ct);
            var denied = await ChildProcess.RunAsync(
                XenPackages.Tool("xenstore-write"), ["/tool/forged", "x"], new Dictionary<string, string> { ["XENSTORED_PATH"] = xenbus }, ChildProcess.DefaultTimeout, Ct);
            await RunHostAsync(["loopback", "destroy", "--dir", store.Root, "cli"]);
            await using var dom0 = await store.ConnectAsync(Ct).WaitAsync(RealXenLoopback.Timeout, Ct);

            Assert.True(read.ExitCode == 0, $"{read}; {log}");
            Assert.Equal($"cli\n{id}\n", read.StandardOutput);
            Assert.NotEqual(0, denied.ExitCode);
            Assert.Null(await dom0.ReadAsync("/tool/forged", Ct).WaitAsync(RealXenLoopback.Timeout, Ct));
            Assert.False(await dom0.IsDomainIntroducedAsync(new DomainId(id), Ct).WaitAsync(RealXenLoopback.Timeout, Ct), log.ToString());
            Assert.False(loopback.HasExited, log.ToString());
        }
        finally
        {
            await ChildProcess.StopAsync(loopback);
        }
    }

    /// <summary>Runs gak-host and requires success: a busy oxenstored backlog is the CLI's to wait out, not ours.</summary>
    private static async Task<ProcessResult> RunHostAsync(string[] arguments)
    {
        var result = await ChildProcess.RunAsync("dotnet", [GakHost, .. arguments], new Dictionary<string, string>(), RealXenLoopback.Timeout, Ct);
        Assert.True(result.ExitCode == 0, $"gak-host {string.Join(' ', arguments)}: {result}");
        return result;
    }
}
