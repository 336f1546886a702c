using System.Runtime.Versioning;
using GuestAgentKit.EndToEnd.Tests.Agent;
using GuestAgentKit.Samples.Clipboard.Guest;

namespace GuestAgentKit.EndToEnd.Tests.Samples;

/// <summary>
/// The Clipboard sample end to end on the loopback, every piece its own process: loopback, backend, the guest agent
/// (in-memory clipboard, its terminal standing in for the desktop) on the channel's tty, and dom0's
/// <c>Clipboard set|get|watch</c> on the channel socket.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class ClipboardProcessTests
{
    private static readonly TimeSpan Timeout = LoopbackDom0.Timeout;

    [Fact]
    public async Task Clipboard_LoopbackChannel_Dom0SetReachesGuestAndGuestChangeReachesWatch()
    {
        await using var dom0 = await LoopbackDom0.StartAsync("gak-e2e-clip-");
        var socketPath = Path.Combine(dom0.RunDirectory, "clipboard.sock");
        var domain = await dom0.CreateDomainAsync("desk");
        await dom0.AddChannelAsync(domain, $"connection=socket, name={ClipboardChannel.Name}, path={socketPath}");
        await dom0.StartBackendAsync();
        var device = dom0.GuestDevice(domain, 1);
        await dom0.WaitForChannelAsync(socketPath, device);
        var agent = dom0.Track(SampleProcess.Start("Clipboard", ["agent", "--device", device, "--stdio"], redirectInput: true));
        await agent.WaitForTextAsync("waiting for dom0's hello", Timeout);

        var set = await Tool.RunAsync("Clipboard", "set", "--socket", socketPath, "from dom0: žluťoučký kůň");
        Assert.True(set.ExitCode == 0, set.Stderr);
        await agent.WaitForTextAsync("clipboard: from dom0: žluťoučký kůň", Timeout); // the guest's clipboard holds it
        var get = await Tool.RunAsync("Clipboard", "get", "--socket", socketPath);

        var watch = dom0.Track(SampleProcess.Start("Clipboard", ["watch", "--socket", socketPath]));
        await watch.WaitForTextAsync("current: from dom0: žluťoučký kůň", Timeout);
        await agent.Input.WriteLineAsync("copied in the guest".AsMemory(), TestContext.Current.CancellationToken);
        await agent.Input.FlushAsync(TestContext.Current.CancellationToken);
        await watch.WaitForTextAsync("changed: copied in the guest", Timeout);

        Assert.Equal((0, "from dom0: žluťoučký kůň\n"), (get.ExitCode, get.Stdout));
        Assert.Contains("clipboard backend: memory", agent.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("changed: from dom0", watch.Output, StringComparison.Ordinal); // dom0's own set is not echoed back
    }
}
