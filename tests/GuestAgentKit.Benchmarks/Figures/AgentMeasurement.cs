using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using GuestAgentKit.Channels;
using GuestAgentKit.Channels.Xl;
using GuestAgentKit.Host.Client;
using GuestAgentKit.Protocol;

namespace GuestAgentKit.Benchmarks.Figures;

/// <summary>
/// What B2 and B4 share, measured once per run: gak-agent (framework-dependent) on a loopback guest behind gak-host
/// backend (ready time, idle RSS, ping round trips from dom0's socket, its CPU per ping), then qemu-ga on the same guest
/// tty behind the same backend (guest-ping round trips, idle RSS, CPU per ping), then the same JSON-RPC ping over a
/// plain Unix socket pair in this process (no channel at all). B4 alone also measures the NativeAOT gak-agent the same
/// way (<see cref="GetNativeAotAsync"/>), so that selecting B2 never waits for a NativeAOT publish.
/// </summary>
internal sealed class AgentMeasurement
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan IdleWindow = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(2);
    private Task<Results>? _results;
    private Task<NativeAotResults>? _nativeAot;

    /// <summary>One agent build on a channel. Milliseconds to ready; latencies and CPU per ping in microseconds; KiB.</summary>
    public sealed record AgentRun(double ReadyMs, long IdleKiB, double IdleCpuPercent, double P50, double P99, double CpuPerPing);

    /// <summary>Latencies in microseconds; memory in KiB; CPU per ping in microseconds.</summary>
    public sealed record Results(
        int Pings,
        AgentRun Ours,
        double QemuGaP50,
        double QemuGaP99,
        double PairP50,
        double PairP99,
        long QemuGaIdleKiB,
        double QemuGaCpuPerPing,
        long PublishBytes);

    private sealed record PingTimes(double P50, double P99, double CpuPerPing, TimeSpan WarmUpCpu);

    /// <summary>The NativeAOT agent's run, where its binary came from and its size.</summary>
    public sealed record NativeAotResults(AgentRun Run, AgentBuild Build, long BinaryBytes);

    public Task<Results> GetAsync(BenchmarkContext context, CancellationToken cancellationToken) =>
        _results ??= MeasureAsync(context, cancellationToken);

    public Task<NativeAotResults> GetNativeAotAsync(BenchmarkContext context, CancellationToken cancellationToken) =>
        _nativeAot ??= MeasureNativeAotAsync(context, cancellationToken);

    private static int PingCount(BenchmarkContext context) => context.Quick ? 300 : 10_000;

    private static TimeSpan WarmUpFor(BenchmarkContext context) => context.Quick ? TimeSpan.Zero : WarmUp;

    private static async Task<Results> MeasureAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var pings = PingCount(context);
        var warmUp = WarmUpFor(context);
        await using var rig = await ChannelRig.StartAsync(ChannelConnection.Socket, cancellationToken).ConfigureAwait(false);
        var socket = rig.SocketPath!;
        var ours = await MeasureAgentAsync(context, rig, AgentBuild.FrameworkDependent, pings, warmUp, cancellationToken).ConfigureAwait(false);

        double qgaP50, qgaP99, qgaCpuPerPing;
        TimeSpan qgaWarmUpCpu;
        long qgaIdleKiB;
        await using (var qga = QemuGaProcess.Start(rig.GuestDevice))
        {
            using var line = new JsonLineSocket(socket);
            await SyncAsync(line, cancellationToken).WaitAsync(StepTimeout, cancellationToken).ConfigureAwait(false);
            await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);
            qgaIdleKiB = ChildMeter.ResidentKiB(qga.Process.Id);
            var ping = Encoding.ASCII.GetBytes("{\"execute\":\"guest-ping\"}\n");
            (qgaP50, qgaP99, qgaCpuPerPing, qgaWarmUpCpu) = await TimeAsync(
                pings,
                warmUp,
                async () =>
                {
                    await line.SendAsync(ping, cancellationToken).ConfigureAwait(false);
                    var reply = await line.ReadLineAsync(cancellationToken).ConfigureAwait(false);
                    if (!reply.Contains("\"return\"", StringComparison.Ordinal))
                    {
                        throw new InvalidDataException($"qemu-ga answered guest-ping with {reply}");
                    }
                },
                qga.Process).ConfigureAwait(false);
        }

        context.Log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  qemu-ga: idle RSS {qgaIdleKiB} KiB, guest-ping p50 {qgaP50:0} us p99 {qgaP99:0} us, CPU/ping {qgaCpuPerPing:0.0} us, CPU during the warm-up {qgaWarmUpCpu.TotalMilliseconds:0} ms"));
        var (pairP50, pairP99) = await SocketPairAsync(pings, warmUp, cancellationToken).ConfigureAwait(false);
        context.Log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  socket pair: ping p50 {pairP50:0} us p99 {pairP99:0} us"));
        return new Results(pings, ours, qgaP50, qgaP99, pairP50, pairP99, qgaIdleKiB, qgaCpuPerPing, PublishBytes());
    }

    private static async Task<NativeAotResults> MeasureNativeAotAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var path = await context.NativeAotAgent.PathAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        var build = AgentBuild.Native(path, $"NativeAOT gak-agent published by the harness from this tree into {Path.GetDirectoryName(path)}");
        await using var rig = await ChannelRig.StartAsync(ChannelConnection.Socket, cancellationToken).ConfigureAwait(false);
        var run = await MeasureAgentAsync(context, rig, build, PingCount(context), WarmUpFor(context), cancellationToken).ConfigureAwait(false);
        return new NativeAotResults(run, build, new FileInfo(path).Length);
    }

    /// <summary>
    /// Starts <paramref name="build"/> as <c>gak-agent run</c> on the rig's guest (finding its tty by name through the
    /// guest's xenbus), waits for ready, handshakes from dom0, measures it idle, then times <paramref name="pings"/> pings.
    /// </summary>
    private static async Task<AgentRun> MeasureAgentAsync(BenchmarkContext context, ChannelRig rig, AgentBuild build, int pings, TimeSpan warmUp, CancellationToken cancellationToken)
    {
        await using var agent = AgentProcess.Start(build, ["run", "--xenbus", rig.Domain.XenbusPath, "--device-dir", rig.Domain.GuestDirectory]);
        var readyMs = (await agent.ReadyAfter.WaitAsync(StepTimeout, cancellationToken).ConfigureAwait(false)).TotalMilliseconds;
        await using var client = await AgentClient.ConnectAsync(rig.SocketPath!, WellKnownChannels.Agent.Name, null, cancellationToken).ConfigureAwait(false);
        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false); // settle after the handshake
        var idleFrom = ChildMeter.CpuTime(agent.Process);
        await Task.Delay(IdleWindow, cancellationToken).ConfigureAwait(false); // what an idle agent holds and burns
        var cpu = ChildMeter.CpuTime(agent.Process);
        var idleCpu = (cpu - idleFrom) / IdleWindow * 100;
        var idleKiB = ChildMeter.ResidentKiB(agent.Process.Id);
        var (p50, p99, cpuPerPing, warmUpCpu) = await TimeAsync(pings, warmUp, () => client.PingAsync(cancellationToken), agent.Process).ConfigureAwait(false);
        context.Log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  gak-agent ({build.Description}): ready {readyMs:0} ms, idle RSS {idleKiB} KiB, idle CPU {idleCpu:0.00} %, ping p50 {p50:0} us p99 {p99:0} us, CPU/ping {cpuPerPing:0.0} us, CPU during the warm-up {warmUpCpu.TotalMilliseconds:0} ms"));
        return new AgentRun(readyMs, idleKiB, idleCpu, p50, p99, cpuPerPing);
    }

    /// <summary>Flushes whatever is in the channel and waits until qemu-ga answers (it takes a moment to open the tty).</summary>
    private static async Task SyncAsync(JsonLineSocket line, CancellationToken cancellationToken)
    {
        for (var id = 1; ; id++)
        {
            // 0xFF resets qemu-ga's JSON parser (its documented resync byte), as guest-sync-delimited clients send.
            byte[] sync = [0xFF, .. Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{{\"execute\":\"guest-sync\",\"arguments\":{{\"id\":{id}}}}}\n"))];
            await line.SendAsync(sync, cancellationToken).ConfigureAwait(false);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            wait.CancelAfter(TimeSpan.FromSeconds(1));
            try
            {
                while (true)
                {
                    var reply = await line.ReadLineAsync(wait.Token).ConfigureAwait(false);
                    if (reply.Contains(string.Create(CultureInfo.InvariantCulture, $"\"return\": {id}"), StringComparison.Ordinal))
                    {
                        return;
                    }
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // not up yet: ask again
            }
        }
    }

    /// <summary>The same JSON-RPC ping between our two protocol ends over a Unix socket pair: the floor without a channel.</summary>
    private static async Task<(double P50, double P99)> SocketPairAsync(int pings, TimeSpan warmUp, CancellationToken cancellationToken)
    {
        var directory = Directory.CreateTempSubdirectory("gak-pair-").FullName;
        try
        {
            var path = Path.Combine(directory, "s");
            using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            listener.Bind(new UnixDomainSocketEndPoint(path));
            listener.Listen(1);
            var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await client.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken).ConfigureAwait(false);
            using var server = await listener.AcceptAsync(cancellationToken).ConfigureAwait(false);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var endpoint = new AgentEndpoint(WellKnownChannels.Agent.Name, new AgentIdentity("bench-agent", "1"));
            var serving = endpoint.RunAsync(new NetworkStream(server, ownsSocket: false), stop.Token);
            await using var session = await ChannelSession.ConnectAsync(new NetworkStream(client, ownsSocket: true), WellKnownChannels.Agent.Name, null, cancellationToken).ConfigureAwait(false);
            var times = await TimeAsync(pings, warmUp, () => session.InvokeAsync<string>("agent.ping", null, cancellationToken), measured: null).ConfigureAwait(false);
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await serving.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            return (times.P50, times.P99);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>
    /// Untimed round trips for <paramref name="warmUp"/> and at least 100 of them (2 s; only the 100 in quick mode), then <paramref name="count"/> timed sequential ones: p50
    /// and p99 in microseconds, and the CPU of <paramref name="measured"/> per timed round trip (microseconds) and during
    /// the warm-up. The warm-up lets a JIT-compiled agent (and this harness) reach steady state: the runtime re-compiles
    /// hot methods in the background for the first second or two of load, which is start-up cost, not per-request cost.
    /// </summary>
    private static async Task<PingTimes> TimeAsync(int count, TimeSpan warmUp, Func<Task> roundTrip, Process? measured)
    {
        var before = measured is null ? TimeSpan.Zero : ChildMeter.CpuTime(measured);
        var warming = Stopwatch.StartNew();
        for (var i = 0; i < 100 || warming.Elapsed < warmUp; i++)
        {
            await roundTrip().ConfigureAwait(false);
        }

        var cpu = measured is null ? TimeSpan.Zero : ChildMeter.CpuTime(measured);
        var samples = new double[count];
        for (var i = 0; i < count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await roundTrip().ConfigureAwait(false);
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }

        var perPing = measured is null ? 0 : (ChildMeter.CpuTime(measured) - cpu).TotalMicroseconds / count;
        Array.Sort(samples);
        return new PingTimes(samples[count / 2], samples[(int)(count * 0.99)], perPing, cpu - before);
    }

    /// <summary>The framework-dependent publish of gak-agent: its dll, config files, and every assembly its deps.json loads.</summary>
    private static long PublishBytes()
    {
        var directory = AppContext.BaseDirectory;
        using var deps = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "gak-agent.deps.json")));
        var files = new HashSet<string>(StringComparer.Ordinal) { "gak-agent.dll", "gak-agent.deps.json", "gak-agent.runtimeconfig.json" };
        foreach (var target in deps.RootElement.GetProperty("targets").EnumerateObject())
        {
            foreach (var library in target.Value.EnumerateObject())
            {
                foreach (var kind in new[] { "runtime", "native" })
                {
                    if (library.Value.TryGetProperty(kind, out var assets))
                    {
                        foreach (var asset in assets.EnumerateObject())
                        {
                            files.Add(Path.GetFileName(asset.Name));
                        }
                    }
                }
            }
        }

        return files.Select(f => Path.Combine(directory, f)).Where(File.Exists).Sum(f => new FileInfo(f).Length);
    }
}
