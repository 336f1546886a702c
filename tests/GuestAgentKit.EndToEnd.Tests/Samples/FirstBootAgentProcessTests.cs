using System.Runtime.Versioning;
using GuestAgentKit.Channels;
using GuestAgentKit.Posix;
using GuestAgentKit.Protocol;
using GuestAgentKit.Samples.FirstBoot.Demo;
using GuestAgentKit.Samples.FirstBoot.Dom0;
using GuestAgentKit.Samples.FirstBoot.Guest;

namespace GuestAgentKit.EndToEnd.Tests.Samples;

/// <summary><c>FirstBoot agent</c> as its own process on a pty standing in for /dev/hvcN; dom0 on the master.</summary>
[SupportedOSPlatform("linux")]
public sealed class FirstBootAgentProcessTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly string _root = Directory.CreateTempSubdirectory("gak-e2e-firstboot-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Agent_OnPty_AppliesPushedConfigIntoItsRoot()
    {
        DemoGuest.CreateTemplateRoot(_root);
        using var pty = Pty.Open();
        pty.MakeRaw();
        await using var agent = SampleProcess.Start("FirstBoot", ["agent", "--device", pty.SlavePath, "--root", _root], waitFor: "waiting for dom0's hello");
        await agent.SawText.WaitAsync(Timeout, TestContext.Current.CancellationToken);
        await using var session = await ChannelSession.ConnectAsync(
            pty.Master,
            WellKnownChannels.Agent.Name,
            new HostSessionOptions { JsonTypeInfoResolver = FirstBootRpc.JsonTypeInfoResolver, LeaveStreamOpen = true },
            TestContext.Current.CancellationToken).WaitAsync(Timeout, TestContext.Current.CancellationToken);

        var result = await FirstBootRpc.ApplyAsync(session, DemoGuest.Config("vm7"), TestContext.Current.CancellationToken).WaitAsync(Timeout, TestContext.Current.CancellationToken);

        Assert.Equal("FirstBoot", session.Welcome.Agent.Name);
        Assert.Contains(new FileChange("/etc/hostname", FileChangeAction.Updated), result.Files);
        Assert.Equal("vm7\n", await File.ReadAllTextAsync(Path.Combine(_root, "etc/hostname"), TestContext.Current.CancellationToken));
        Assert.Contains("instance-id: i-vm7", await File.ReadAllTextAsync(Path.Combine(_root, "var/lib/cloud/seed/nocloud/meta-data"), TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Agent_MissingRoot_ExitsWithUsageError()
    {
        await using var agent = SampleProcess.Start("FirstBoot", ["agent", "--device", "/dev/null", "--root", Path.Combine(_root, "nope")]);

        var exitCode = await agent.WaitForExitAsync(Timeout);

        Assert.Equal(2, exitCode);
        Assert.Contains("does not exist", agent.Output, StringComparison.Ordinal);
    }
}
