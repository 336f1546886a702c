using System.Globalization;
using GuestAgentKit.Protocol;
using GuestAgentKit.Tests.Protocol;

namespace GuestAgentKit.Tests.Fuzz;

/// <summary>A hostile dom0 against the agent's end of the protocol (<see cref="AgentEndpoint"/>) over a real socket pair.</summary>
[Collection(FuzzCollection.Name)]
public sealed class AgentEndpointFuzzTests
{
    private const int ProbeEvery = 50;
    private const long MemoryBoundBytes = 64L * 1024 * 1024; // pools and caches settle below this; a per-case leak passes it in the long run
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RunAsync_HostileDom0_AnswersOnlyProtocolLinesKeepsServingAndMemoryStaysBounded()
    {
        var cases = FuzzBudget.Cases(bounded: 2_000, longRun: 100_000);
        var random = FuzzBudget.Random(salt: 3);
        var lines = new HostileLines(random);
        await using var pair = await SocketPair.CreateAsync();
        await using var agent = new AgentHarness(pair.Guest);
        var monitor = new AgentOutputMonitor(pair.Host);
        var name = AgentHarness.Name.Value;
        var kinds = new Dictionary<string, int>(StringComparer.Ordinal);
        long bytesSent = 0, probes = 0, baseline = 0, sessions = 0;
        var inSession = false;
        var recent = new Queue<string>();
        var workingSetBefore = Environment.WorkingSet;

        for (var i = 0; i < cases; i++)
        {
            var (kind, bytes) = lines.Next(name);
            kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
            recent.Enqueue($"{i}:{kind}({bytes.Length} bytes)");
            if (recent.Count > ProbeEvery)
            {
                recent.Dequeue();
            }
            if (!inSession && HostileLines.NeedsSession(kind))
            {
                inSession = true;
                // Open a session first (answer not awaited), so JSON-RPC garbage reaches the JSON-RPC layer.
                await pair.Host.WriteAsync(HostileLines.Hello("5e55" + i.ToString("x", CultureInfo.InvariantCulture), name), Ct).AsTask().WaitAsync(Timeout, Ct);
                sessions++;
            }

            inSession &= !bytes.Contains(HostileLines.Marker); // a marker ends the session (a hello in it may open another: unknown)
            await pair.Host.WriteAsync(bytes, Ct).AsTask().WaitAsync(Timeout, Ct);
            bytesSent += bytes.Length;
            if (i % ProbeEvery == ProbeEvery - 1 || i == cases - 1)
            {
                try
                {
                    await ProbeAsync(pair.Host, monitor, i, name);
                }
                catch (TimeoutException)
                {
                    Assert.Fail($"the agent stopped answering probes after case {i} (seed {FuzzBudget.Seed}); last cases: {string.Join(", ", recent)}; agent events: " +
                        string.Join(" | ", agent.Events.TakeLast(5).Select(e => $"{e.Kind}: {e.Message}")));
                }

                var fault = agent.Events.FirstOrDefault(e => e.Kind == AgentSessionEventKind.SessionFaulted);
                Assert.True(fault is null, $"a hostile line faulted the JSON-RPC session before case {i} (seed {FuzzBudget.Seed}): {fault?.Message}; last cases: {string.Join(", ", recent)}");
                probes++;
                inSession = true;
                if (baseline == 0 && i >= 10 * ProbeEvery)
                {
                    baseline = GC.GetTotalMemory(forceFullCollection: true); // after warm-up: JIT, pools
                }
            }
        }

        var growth = GC.GetTotalMemory(forceFullCollection: true) - baseline;
        Assert.Empty(monitor.Violations);
        Assert.False(agent.Run.IsCompleted, "the agent loop ended");
        Assert.InRange(growth, long.MinValue, MemoryBoundBytes);
        FuzzBudget.Report(
            nameof(RunAsync_HostileDom0_AnswersOnlyProtocolLinesKeepsServingAndMemoryStaysBounded),
            $"cases={cases} bytes-sent={bytesSent} probes-answered={probes} sessions-opened={sessions + probes} agent-lines={monitor.Lines} agent-errors={monitor.Errors} " +
            $"managed-growth-bytes={growth} working-set-delta-bytes={Environment.WorkingSet - workingSetBefore} " +
            $"kinds={string.Join(',', kinds.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => $"{k.Key}:{k.Value}"))}");
    }

    /// <summary>A fresh session (marker + hello) and a ping: proves the agent still serves after the garbage.</summary>
    private static async Task ProbeAsync(Stream host, AgentOutputMonitor monitor, int index, string channel)
    {
        var nonce = "c0de" + index.ToString("x", CultureInfo.InvariantCulture);
        var id = 1_000_000_000 + index;
        var welcome = monitor.Expect("nonce:" + nonce);
        var pong = monitor.Expect("id:" + id.ToString(CultureInfo.InvariantCulture));
        await host.WriteAsync(HostileLines.Hello(nonce, channel), Ct).AsTask().WaitAsync(Timeout, Ct);
        var answer = await welcome.WaitAsync(Timeout, Ct);
        Assert.Equal("welcome", answer.GetProperty("gak").GetString());
        await host.WriteAsync(System.Text.Encoding.UTF8.GetBytes($"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"method\":\"agent.ping\",\"params\":[]}}\n"), Ct)
            .AsTask().WaitAsync(Timeout, Ct);
        var reply = await pong.WaitAsync(Timeout, Ct);
        Assert.Equal("pong", reply.GetProperty("result").GetString());
    }
}
