using System.Diagnostics;
using System.Globalization;
using GuestAgentKit.Interop.Tests.RealXen;
using GuestAgentKit.XenStore;

namespace GuestAgentKit.Benchmarks.Figures;

/// <summary>
/// B5: XS_READ or XS_WRITE operations per second against Debian's real C xenstored on the loopback
/// (the interop tests' RealXenStored fixture, without its trace file). Ours: one XenStoreClient
/// connection with <see cref="Window"/> requests in flight. Peer (the bound): xs_raw.c, the same window
/// of raw xs_wire.h messages on one socket, each batch in one write(). Beside it: xs_loop.c, Debian's
/// libxenstore in a synchronous loop.
/// </summary>
internal sealed class XenStoreFigure(XenStoreOperation operation) : Figure
{
    private const int Window = 64;
    private const string NodePath = "/bench/node";
    private const string Value = "benchmark-value"; // what xs_loop.c and xs_raw.c write
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);

    public override string Id => operation == XenStoreOperation.Read ? "B5r" : "B5w";

    public override string Name => operation == XenStoreOperation.Read
        ? "xenstore reads/s against real C xenstored"
        : "xenstore writes/s against real C xenstored";

    public override string Target => ">= 0.8 x raw pipelined client";

    public override async Task<FigureResult> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var count = context.Quick ? 2_000 : 50_000;
        var verb = operation == XenStoreOperation.Read ? "read" : "write";
        var raw = await context.Peers.XenStoreRawAsync().ConfigureAwait(false);
        var loop = await context.Peers.XenStoreLoopAsync().ConfigureAwait(false);
        await using var daemon = await RealXenStored.StartAsync(XenStoredKind.C, trace: false, cancellationToken).ConfigureAwait(false);
        await using var client = await XenStoreClient.ConnectAsync(XenStoreEndpoint.FromPath(daemon.SocketPath), cancellationToken).ConfigureAwait(false);
        await client.WriteAsync(NodePath, Value, cancellationToken).ConfigureAwait(false);

        var ours = await context.MedianAsync($"{Id} XenStoreClient", () => MeasureClientAsync(client, count, cancellationToken)).ConfigureAwait(false);
        var bound = await context.MedianAsync(
            $"{Id} raw pipelined",
            () => RunPeerAsync(raw, [verb, daemon.SocketPath, NodePath, Text(count), Text(Window)], daemon, cancellationToken)).ConfigureAwait(false);
        var library = await context.MedianAsync(
            $"{Id} libxenstore loop",
            () => RunPeerAsync(loop, [verb, NodePath, Text(count)], daemon, cancellationToken)).ConfigureAwait(false);
        return new FigureResult
        {
            Id = Id,
            Name = Name,
            Target = Target,
            Unit = "ops/s",
            Ours = ours,
            PeerName = $"raw pipelined, window {Window}",
            Peer = bound,
            MinRatio = 0.8,
            Runs = context.Options.Repetitions,
            Also = [new Baseline("libxenstore synchronous loop", library)],
            Note = $"{count} ops per run, ours with {Window} in flight on one connection",
        };
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private async Task<double> MeasureClientAsync(XenStoreClient client, int count, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RunTimeout);
        var next = 0;
        var clock = Stopwatch.StartNew();

        // Window workers each take the next operation until none is left: Window requests in flight.
        await Task.WhenAll(Enumerable.Range(0, Window).Select(_ => Task.Run(Worker, timeout.Token))).ConfigureAwait(false);
        return count / clock.Elapsed.TotalSeconds;

        async Task Worker()
        {
            while (Interlocked.Increment(ref next) <= count)
            {
                if (operation == XenStoreOperation.Read)
                {
                    _ = await client.ReadAsync(NodePath, timeout.Token).ConfigureAwait(false)
                        ?? throw new InvalidDataException($"{NodePath} vanished");
                }
                else
                {
                    await client.WriteAsync(NodePath, Value, timeout.Token).ConfigureAwait(false);
                }
            }
        }
    }

    private static async Task<double> RunPeerAsync(string program, string[] arguments, RealXenStored daemon, CancellationToken cancellationToken)
    {
        var result = await ChildProcess.RunAsync(program, arguments, daemon.ClientEnvironment(), RunTimeout, cancellationToken).ConfigureAwait(false);
        return PeerOutput.Rate(result, Path.GetFileName(program));
    }
}
