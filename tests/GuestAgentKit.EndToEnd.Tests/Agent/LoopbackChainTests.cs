using System.Globalization;
using GuestAgentKit.Channels;
using GuestAgentKit.Host.Client;
using GuestAgentKit.Protocol;

namespace GuestAgentKit.EndToEnd.Tests.Agent;

/// <summary>
/// Issue #6 "Tests": the agent as a separate process given only a channel name finds its tty through the domain's
/// xenbus stand-in and answers dom0 through the real backend process; it keeps serving across a backend restart;
/// two agents in one domain each find their own channel.
/// </summary>
public sealed class LoopbackChainTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Agent_ByChannelNameThroughBackend_AnswersAndKeepsServingAcrossBackendRestart()
    {
        var channel = WellKnownChannels.Agent.Name;
        await using var chain = await LoopbackChain.StartAsync();
        var domid = await chain.CreateDomainAsync("web");
        var socket = await chain.AddChannelAsync(domid, channel);
        chain.StartBackend();
        var agent = chain.StartAgent(domid, channel);

        // The orchestrator's way in: domain and channel name looked up in dom0's xenstore (one client at a time).
        var before = await LoopbackChain.ConnectWhenServedAsync(socket, channel);
        await before.DisposeAsync();
        var ping = await LoopbackChain.RunHostAsync("call", "--loopback", chain.Root, domid.ToString(CultureInfo.InvariantCulture), "--channel", channel.Value, "agent.ping");
        before = await LoopbackChain.ConnectWhenServedAsync(socket, channel);
        var info = await before.GetInfoAsync(Ct).WaitAsync(LoopbackChain.Timeout, Ct);

        Assert.Equal(channel.Value, info.GetProperty("channel").GetString());
        Assert.Equal("\"pong\"\n", ping);
        // The agent's log is written asynchronously: wait for the line (bounded) rather than read it once.
        await agent.WaitForStderrAsync($"guessed tty {Path.Combine(chain.Root, "guests", domid.ToString(CultureInfo.InvariantCulture), "hvc1")}", LoopbackChain.Timeout);

        // The backend goes away: dom0's open session hangs up; the agent is not told and must not care.
        await chain.StopBackendAsync();
        await Assert.ThrowsAnyAsync<ChannelProtocolException>(() => before.PingAsync(Ct).WaitAsync(LoopbackChain.Timeout, Ct));
        await before.DisposeAsync();
        chain.StartBackend();

        await using var after = await LoopbackChain.ConnectWhenServedAsync(socket, channel);
        Assert.Equal("pong", await after.PingAsync(Ct).WaitAsync(LoopbackChain.Timeout, Ct));
        var infoAfter = await after.GetInfoAsync(Ct).WaitAsync(LoopbackChain.Timeout, Ct);
        Assert.Equal(channel.Value, infoAfter.GetProperty("channel").GetString());
        Assert.False(agent.HasExited, "the agent exited:\n" + agent.Stderr);
        // Same agent process, still up since before the restart.
        Assert.True(infoAfter.GetProperty("agentUptimeSeconds").GetDouble() >= info.GetProperty("agentUptimeSeconds").GetDouble());
    }

    [Fact]
    public async Task TwoAgents_TwoChannelsInOneDomain_EachFindsAndServesItsOwn()
    {
        ChannelName[] channels = [ChannelName.Parse("org.example.one.1"), ChannelName.Parse("org.example.two.1")];
        await using var chain = await LoopbackChain.StartAsync();
        var domid = await chain.CreateDomainAsync("pair");
        var sockets = new List<string>();
        foreach (var channel in channels)
        {
            sockets.Add(await chain.AddChannelAsync(domid, channel));
        }

        chain.StartBackend();
        var agents = channels.Select(channel => chain.StartAgent(domid, channel)).ToArray();

        for (var i = 0; i < channels.Length; i++)
        {
            await using var client = await LoopbackChain.ConnectWhenServedAsync(sockets[i], channels[i]);
            var info = await client.GetInfoAsync(Ct).WaitAsync(LoopbackChain.Timeout, Ct);

            Assert.Equal(channels[i].Value, info.GetProperty("channel").GetString());
            Assert.Equal("pong", await client.PingAsync(Ct).WaitAsync(LoopbackChain.Timeout, Ct));
            // Consoles 1 and 2 are hvc1 and hvc2 (docs/guest.md, numbering rule).
            var tty = Path.Combine(chain.Root, "guests", domid.ToString(CultureInfo.InvariantCulture), "hvc" + (i + 1).ToString(CultureInfo.InvariantCulture));
            await agents[i].WaitForStderrAsync($"guessed tty {tty}", LoopbackChain.Timeout);
        }

        // Each socket leads to its own agent only: a hello naming the other channel is rejected by name.
        var crossed = await Assert.ThrowsAsync<AgentConnectionException>(
            () => AgentClient.ConnectAsync(sockets[0], channels[1], null, Ct).WaitAsync(LoopbackChain.Timeout, Ct));
        var mismatch = Assert.IsType<ChannelNameMismatchException>(crossed.InnerException);
        Assert.Equal(channels[0].Value, mismatch.Actual);
    }
}
