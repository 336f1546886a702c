using GuestAgentKit.Protocol;
using GuestAgentKit.Tests.Protocol;
using StreamJsonRpc;

namespace GuestAgentKit.Tests.Fuzz;

/// <summary>A hostile agent against dom0's end of the protocol (<see cref="ChannelSession"/>) over real socket pairs.</summary>
[Collection(FuzzCollection.Name)]
public sealed class ChannelSessionFuzzTests
{
    private const long MemoryBoundBytes = 64L * 1024 * 1024; // pools and caches settle below this; a per-case leak passes it in the long run
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ConnectAndInvoke_HostileAgent_OnlyValueOrDocumentedExceptions()
    {
        var cases = FuzzBudget.Cases(bounded: 300, longRun: 100_000);
        var random = FuzzBudget.Random(salt: 4);
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
        var options = new HostSessionOptions { LeaveStreamOpen = false };
        long baseline = 0;
        for (var i = 0; i < cases; i++)
        {
            var pair = await SocketPair.CreateAsync();
            await using (pair)
            {
                var agent = new HostileAgent(pair.Guest, random);
                var agentRun = agent.RunAsync(Ct);
                var outcome = await CallAsync(pair.Host, options);
                await agentRun.WaitAsync(Timeout, Ct);
                var key = $"{agent.WelcomeKind}/{agent.ReplyKind}->{outcome}";
                outcomes[key] = outcomes.GetValueOrDefault(key) + 1;
            }

            if (i == Math.Min(cases - 1, 50))
            {
                baseline = GC.GetTotalMemory(forceFullCollection: true);
            }
        }

        var growth = GC.GetTotalMemory(forceFullCollection: true) - baseline;
        Assert.InRange(growth, long.MinValue, MemoryBoundBytes);
        Assert.Contains(outcomes.Keys, k => k.EndsWith("->pong", StringComparison.Ordinal));
        FuzzBudget.Report(
            nameof(ConnectAndInvoke_HostileAgent_OnlyValueOrDocumentedExceptions),
            $"cases={cases} managed-growth-bytes={growth} outcomes={outcomes.Count} " +
            string.Join(',', outcomes.GroupBy(o => o.Key[(o.Key.IndexOf("->", StringComparison.Ordinal) + 2)..]).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => $"{g.Key}:{g.Sum(o => o.Value)}")));
    }

    /// <summary>One session and one call; the outcome's name, or the test fails if anything undocumented escapes.</summary>
    private static async Task<string> CallAsync(Stream stream, HostSessionOptions options)
    {
        try
        {
            await using var session = await ChannelSession.ConnectAsync(stream, AgentHarness.Name, options, Ct).WaitAsync(Timeout, Ct);
            return await session.InvokeAsync<string>("agent.ping", null, Ct).WaitAsync(Timeout, Ct) ?? "null";
        }
        catch (ChannelProtocolException e)
        {
            return e.GetType().Name;
        }
        catch (RemoteInvocationException e)
        {
            return e.GetType().Name;
        }
    }
}
