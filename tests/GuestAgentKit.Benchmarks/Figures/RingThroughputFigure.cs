using System.Diagnostics;
using System.Globalization;
using GuestAgentKit.Interop.Tests.RealXen;

namespace GuestAgentKit.Benchmarks.Figures;

/// <summary>
/// B1 raw: random bytes, checked on arrival, through the 2 KiB <c>out</c> ring of a console page on the
/// loopback notification mechanism (page file + FIFO event channels), guest end to dom0 end. Ours:
/// two <c>RingStream</c>s over LoopbackDomain/LoopbackPlatform in one process. Peer: the C ring copier
/// (tests/native/bench/ring_copier.c), two threads on the same layout and convention (notify on every
/// pass, block in poll() when empty/full). Beside it, the same copier spinning 50 us before blocking:
/// what the mechanism allows.
/// </summary>
internal sealed class RingThroughputFigure : Figure
{
    private const int ChunkSize = 64 * 1024;
    private const int SpinMicroseconds = 50;
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);

    public override string Id => "B1";

    public override string Name => "console ring raw throughput, guest->dom0 (MiB/s)";

    public override string Target => ">= 0.8 x C ring copier";

    public override async Task<FigureResult> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var bytes = context.Quick ? 4 << 20 : 64 << 20;
        var source = new byte[bytes];
        new Random(8).NextBytes(source);
        var copier = await context.Peers.RingCopierAsync().ConfigureAwait(false);

        var ours = await context.MedianAsync("B1 RingStream", () => MeasureRingStreamAsync(source, cancellationToken)).ConfigureAwait(false);
        var peer = await context.MedianAsync("B1 C copier", () => MeasureCopierAsync(copier, bytes, spinMicroseconds: 0, cancellationToken)).ConfigureAwait(false);
        var spinning = await context.MedianAsync("B1 C copier spinning", () => MeasureCopierAsync(copier, bytes, SpinMicroseconds, cancellationToken)).ConfigureAwait(false);
        return new FigureResult
        {
            Id = Id,
            Name = Name,
            Target = Target,
            Unit = "MiB/s",
            Ours = ours,
            PeerName = "C ring copier",
            Peer = peer,
            MinRatio = 0.8,
            Runs = context.Options.Repetitions,
            Also = [new Baseline($"C ring copier spinning {SpinMicroseconds} us before blocking", spinning)],
            Note = string.Create(CultureInfo.InvariantCulture, $"{bytes >> 20} MiB per run"),
        };
    }

    private static async Task<double> MeasureRingStreamAsync(byte[] source, CancellationToken cancellationToken)
    {
        await using var pair = LoopbackConsolePair.Create();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RunTimeout);
        var clock = Stopwatch.StartNew();
        var writer = Task.Run(
            async () =>
            {
                for (var offset = 0; offset < source.Length; offset += ChunkSize)
                {
                    await pair.Frontend.WriteAsync(source.AsMemory(offset, Math.Min(ChunkSize, source.Length - offset)), timeout.Token).ConfigureAwait(false);
                }
            },
            timeout.Token);
        var buffer = new byte[ChunkSize];
        var received = 0;
        while (received < source.Length)
        {
            var read = await pair.Backend.ReadAsync(buffer, timeout.Token).ConfigureAwait(false);
            if (!buffer.AsSpan(0, read).SequenceEqual(source.AsSpan(received, read)))
            {
                throw new InvalidDataException($"ring delivered wrong bytes in {received}..{received + read}");
            }

            received += read;
        }

        clock.Stop();
        await writer.ConfigureAwait(false);
        return source.Length / clock.Elapsed.TotalSeconds / (1 << 20);
    }

    internal static async Task<double> MeasureCopierAsync(string copier, int bytes, int spinMicroseconds, CancellationToken cancellationToken)
    {
        var directory = Directory.CreateTempSubdirectory("gak-bench-copier-").FullName;
        try
        {
            var result = await ChildProcess.RunAsync(
                copier,
                [directory, bytes.ToString(CultureInfo.InvariantCulture), spinMicroseconds.ToString(CultureInfo.InvariantCulture)],
                new Dictionary<string, string>(),
                RunTimeout,
                cancellationToken).ConfigureAwait(false);
            return PeerOutput.Rate(result, "ring copier");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
