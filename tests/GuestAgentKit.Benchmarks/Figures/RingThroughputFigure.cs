using System.Diagnostics;
using System.Globalization;

namespace GuestAgentKit.Benchmarks.Figures;

/// <summary>
/// B1 raw: random bytes, checked on arrival, through the 2 KiB <c>out</c> ring of a console page on the
/// loopback notification mechanism (page file + FIFO event channels), guest end to dom0 end. Ours:
/// two <c>RingStream</c>s over LoopbackDomain/LoopbackPlatform in one process. Peer: the raw limit
/// (<see cref="RawRingLimit"/>), the faster of the C ring copier blocking in poll() and spinning before it.
/// </summary>
internal sealed class RingThroughputFigure : Figure
{
    private const int ChunkSize = 64 * 1024;
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);

    public override string Id => "B1";

    public override string Name => "console ring raw throughput, guest->dom0 (MiB/s)";

    public override string Target => ">= 0.8 x the raw limit";

    public override async Task<FigureResult> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var bytes = context.Quick ? 4 << 20 : 64 << 20;
        var source = new byte[bytes];
        new Random(8).NextBytes(source);

        var ours = await context.MedianAsync("B1 RingStream", () => MeasureRingStreamAsync(source, cancellationToken)).ConfigureAwait(false);
        var raw = await RawRingLimit.MeasureAsync(context, Id, bytes, cancellationToken).ConfigureAwait(false);
        return new FigureResult
        {
            Id = Id,
            Name = Name,
            Target = Target,
            Unit = "MiB/s",
            Ours = ours,
            PeerName = raw.Limit.Name,
            Peer = raw.Limit.Value,
            MinRatio = 0.8,
            Runs = context.Options.Repetitions,
            Also = [raw.Other],
            Note = string.Create(CultureInfo.InvariantCulture, $"{bytes >> 20} MiB per run; the raw limit is the faster C copier variant of this run"),
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
}
