using System.Runtime.Versioning;
using GuestAgentKit.Interop.Tests.Harness;
using GuestAgentKit.Interop.Tests.Loopback;
using GuestAgentKit.Interop.Tests.RealXen;
using GuestAgentKit.Samples.FirstBoot.Demo;
using GuestAgentKit.Samples.FirstBoot.Dom0;
using GuestAgentKit.Samples.FirstBoot.Guest;
using GuestAgentKit.Xen;
using GuestAgentKit.Xen.Platform.Loopback;

namespace GuestAgentKit.Interop.Tests.Samples;

/// <summary>
/// The first-boot story of samples/FirstBoot with Debian's real xenstored under the loopback: the sample's
/// own dom0 code (<see cref="FirstBootOrchestrator"/>) adds the channel in the real daemon, our backend
/// serves it, and the sample's agent — its own process, finding its channel by name through the emulated
/// <c>/dev/xen/xenbus</c>, i.e. over the domain's ring to the real daemon — applies the pushed configuration.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class FirstBootRealXenStoredTests
{
    private static readonly TimeSpan AgentDeadline = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(XenStoredKind.C)]
    [InlineData(XenStoredKind.OCaml)]
    public async Task FirstBoot_RealXenStored_AgentAppliesPushedConfiguration(XenStoredKind kind)
    {
        await using var loopback = await RealXenLoopback.StartAsync(kind, Ct);
        var guestRoot = Directory.CreateDirectory(Path.Combine(loopback.Root, "guest-root")).FullName;
        DemoGuest.CreateTemplateRoot(guestRoot);
        var domain = await loopback.Xen.CreateDomainAsync("web1", null, Ct).WaitAsync(RealXenLoopback.Timeout, Ct);
        var orchestrator = new FirstBootOrchestrator(loopback.Dom0, loopback.Sockets);
        var channel = await orchestrator.AddChannelAsync(domain.Id, domain.Info.Uuid, Ct).WaitAsync(RealXenLoopback.Timeout, Ct);
        var xs = await loopback.Store.ConnectAsync(Ct).WaitAsync(RealXenLoopback.Timeout, Ct);
        await using var backend = InProcessBackend.Start(xs, new LoopbackPlatform(loopback.Root, DomainId.Dom0));

        using var agent = ChildProcess.Start(
            "dotnet",
            [Path.Combine(AppContext.BaseDirectory, "FirstBoot.dll"), "agent", "--root", guestRoot, "--xenbus", domain.XenbusPath, "--device-dir", domain.GuestDirectory],
            new Dictionary<string, string>());
        try
        {
            var log = ProcessLog.Follow(agent, "FirstBoot agent");
            await using var client = await FirstBootOrchestrator.ConnectAsync(orchestrator.SocketPathFor(domain.Info.Uuid), TimeSpan.FromSeconds(5), AgentDeadline, Ct)
                .WaitAsync(AgentDeadline + RealXenLoopback.Timeout, Ct);
            var result = await FirstBootOrchestrator.PushAsync(client, DemoGuest.Config("web1"), Ct).WaitAsync(RealXenLoopback.Timeout, Ct);

            Assert.Equal(1, channel.Devid);
            Assert.True(result.Changed, log.ToString());
            Assert.Contains(new FileChange("/etc/hostname", FileChangeAction.Updated), result.Files);
            Assert.Equal("web1\n", await File.ReadAllTextAsync(Path.Combine(guestRoot, "etc", "hostname"), Ct));
            Assert.Contains("instance-id: i-web1", await File.ReadAllTextAsync(Path.Combine(guestRoot, "var/lib/cloud/seed/nocloud/meta-data"), Ct), StringComparison.Ordinal);
        }
        finally
        {
            await ChildProcess.StopAsync(agent);
        }
    }
}
