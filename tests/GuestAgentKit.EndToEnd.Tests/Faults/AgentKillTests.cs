using GuestAgentKit.Channels;
using GuestAgentKit.Host.Client;
using GuestAgentKit.Protocol;

namespace GuestAgentKit.EndToEnd.Tests.Faults;

/// <summary>
/// The guest agent (<c>gak-agent run</c>, a process on the loopback guest) killed with a call in flight: the channel
/// is a plain byte pipe, so dom0 cannot see the agent die — the call ends with the per-call timeout, which names the
/// method and the time; a restarted agent serves the next session.
/// </summary>
public sealed class AgentKillTests
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(3);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Agent_KilledMidCall_CallTimesOutClearlyAndRestartedAgentAnswersNextSession()
    {
        await using var rig = await LoopbackRig.StartAsync();
        var channel = await rig.AddDomainAsync("agent", WellKnownChannels.Agent.Name.Value);
        rig.StartBackend();
        await rig.WaitConnectedAsync(channel);
        var agent = await rig.StartAgentAsync(channel);
        var options = new AgentClientOptions { CallTimeout = CallTimeout };

        Task<System.Text.Json.JsonElement> call;
        await using (var client = await AgentClient.ConnectAsync(channel.SocketPath, WellKnownChannels.Agent.Name, options, Ct).WaitAsync(LoopbackRig.Timeout, Ct))
        {
            Assert.Equal("pong", await client.PingAsync(Ct).WaitAsync(LoopbackRig.Timeout, Ct));

            // Stopped first, so the call is surely in flight (written, unanswered) when the agent dies.
            agent.Signal("STOP");
            var clock = System.Diagnostics.Stopwatch.StartNew();
            call = client.GetInfoAsync(Ct);
            await agent.KillAsync();

            var failure = await Assert.ThrowsAsync<AgentCallTimeoutException>(() => call.WaitAsync(LoopbackRig.Timeout, Ct));
            Assert.Equal("agent.info", failure.Method);
            Assert.Equal("the agent did not answer 'agent.info' within 3 s", failure.Message);
            SoakBudget.Report(nameof(Agent_KilledMidCall_CallTimesOutClearlyAndRestartedAgentAnswersNextSession), $"the call failed after {clock.Elapsed.TotalSeconds:0.0} s with {failure.GetType().Name}: {failure.Message}");
        }

        var restarted = await rig.StartAgentAsync(channel);
        await using (var client = await AgentClient.ConnectAsync(channel.SocketPath, WellKnownChannels.Agent.Name, options, Ct).WaitAsync(LoopbackRig.Timeout, Ct))
        {
            Assert.Equal("pong", await client.PingAsync(Ct).WaitAsync(LoopbackRig.Timeout, Ct));
            var info = await client.GetInfoAsync(Ct).WaitAsync(LoopbackRig.Timeout, Ct);
            Assert.Equal("gak-agent", info.GetProperty("agentName").GetString());
        }

        Assert.False(restarted.HasExited);
    }
}
