using GuestAgentKit.Channels;
using GuestAgentKit.Guest.Discovery;

namespace GuestAgentKit.Tests.Agent;

public sealed class ChannelDiscoveryTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ListAsync_GuestView_NamesStatesAndGuessedDevices()
    {
        var (harness, dom0, guest) = await DiscoveryFixture.StartAsync();
        await using var owned = harness;
        await DiscoveryFixture.AddConsoleAsync(dom0, "3", "org.example.b.1", "1");
        await DiscoveryFixture.AddConsoleAsync(dom0, "1", "org.guestagentkit.agent.1");
        await DiscoveryFixture.AddConsoleAsync(dom0, "10", "org.example.ignored.1");
        await DiscoveryFixture.AddConsoleAsync(dom0, "2", null);

        var consoles = await new ChannelDiscovery(guest, "/devroot").ListAsync(Ct).WaitAsync(Timeout, Ct);

        Assert.Equal(["1", "2", "3", "10"], consoles.Select(c => c.NodeName));
        Assert.Equal([1, 2, 3, 10], consoles.Select(c => c.Devid));
        Assert.Equal(["/devroot/hvc1", "/devroot/hvc2", "/devroot/hvc3", null], consoles.Select(c => c.DevicePath));
        Assert.Equal(["org.guestagentkit.agent.1", null, "org.example.b.1", "org.example.ignored.1"], consoles.Select(c => c.Name));
        Assert.Equal([4, 4, 1, 4], consoles.Select(c => c.State));
        Assert.Equal($"/local/domain/0/backend/console/{DiscoveryFixture.Domain}/1", consoles[0].Backend);
    }

    [Fact]
    public async Task ListAsync_NoConsoles_Empty()
    {
        var (harness, _, guest) = await DiscoveryFixture.StartAsync();
        await using var owned = harness;

        Assert.Empty(await new ChannelDiscovery(guest).ListAsync(Ct).WaitAsync(Timeout, Ct));
    }

    [Fact]
    public async Task LocateAsync_ByName_DeviceOrNull()
    {
        var (harness, dom0, guest) = await DiscoveryFixture.StartAsync();
        await using var owned = harness;
        await DiscoveryFixture.AddConsoleAsync(dom0, "2", "org.example.clip.1");
        await DiscoveryFixture.AddConsoleAsync(dom0, "4", "org.guestagentkit.agent.1");
        var discovery = new ChannelDiscovery(guest);

        var found = await discovery.LocateAsync(WellKnownChannels.Agent.Name, Ct).WaitAsync(Timeout, Ct);
        var missing = await discovery.LocateAsync(ChannelName.Parse("org.example.none.1"), Ct).WaitAsync(Timeout, Ct);

        Assert.Equal("/dev/hvc2", found?.DevicePath);
        Assert.Equal(4, found?.Devid);
        Assert.Null(missing);
    }

    [Fact]
    public async Task FindByKernelNameAsync_Hvc_ConsoleOrNull()
    {
        var (harness, dom0, guest) = await DiscoveryFixture.StartAsync();
        await using var owned = harness;
        await DiscoveryFixture.AddConsoleAsync(dom0, "1", "org.guestagentkit.agent.1");
        var discovery = new ChannelDiscovery(guest);

        Assert.Equal("org.guestagentkit.agent.1", (await discovery.FindByKernelNameAsync("hvc1", Ct).WaitAsync(Timeout, Ct))?.Name);
        Assert.Null(await discovery.FindByKernelNameAsync("hvc0", Ct).WaitAsync(Timeout, Ct));
        Assert.Null(await discovery.FindByKernelNameAsync("hvc2", Ct).WaitAsync(Timeout, Ct));
    }

    [Fact]
    public async Task WaitForAsync_ChannelAddedLater_ReturnsWhenPresent()
    {
        var (harness, dom0, guest) = await DiscoveryFixture.StartAsync();
        await using var owned = harness;
        var discovery = new ChannelDiscovery(guest);

        var waiting = discovery.WaitForAsync(WellKnownChannels.Agent.Name, Ct);
        await DiscoveryFixture.AddConsoleAsync(dom0, "1", "org.example.other.1");
        Assert.False(waiting.IsCompleted);
        await DiscoveryFixture.AddConsoleAsync(dom0, "2", "org.guestagentkit.agent.1");

        var found = await waiting.WaitAsync(Timeout, Ct);
        Assert.Equal("/dev/hvc2", found.DevicePath);
    }
}
