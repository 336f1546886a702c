using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using GuestAgentKit.Channels.Xl;
using GuestAgentKit.Posix;

namespace GuestAgentKit.Benchmarks.Figures;

/// <summary>
/// B1b: random bytes, checked on arrival, through the whole channel: the guest's hvc tty (the emulator's pty,
/// pumped into the console ring), the ring, <c>gak-host backend</c> (another process), and dom0's socket or
/// pty; each direction timed on its own, the slower one is the figure. Peer: the raw limit of the ring alone
/// (no proxy, no tty), as in B1: the faster C ring copier variant (<see cref="RawRingLimit"/>).
/// </summary>
/// <param name="connection">Socket or pty.</param>
internal sealed class BackendThroughputFigure(ChannelConnection connection) : Figure
{
    private const int ChunkSize = 64 * 1024;

    // 16 MiB, not the issue's 64 MiB: 12 runs of 64 MiB per connection at a few MiB/s take minutes on a loaded box.
    private const int FullBytes = 16 << 20;
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(3);

    public override string Id => connection == ChannelConnection.Socket ? "B1b-socket" : "B1b-pty";

    public override string Name => connection == ChannelConnection.Socket
        ? "through gak-host backend, socket, slower direction (MiB/s)"
        : "through gak-host backend, pty, slower direction (MiB/s)";

    public override string Target => ">= 0.8 x the raw limit";

    public override async Task<FigureResult> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var bytes = context.Quick ? 1 << 20 : FullBytes;
        var source = new byte[bytes];
        new Random(9).NextBytes(source);

        double up, down;
        await using (var rig = await ChannelRig.StartAsync(connection, cancellationToken).ConfigureAwait(false))
        {
            using var guest = Tty.OpenRaw(rig.GuestDevice);
            await using var dom0 = OpenDom0(rig);
            up = await context.MedianAsync($"{Id} guest->dom0", () => MoveAsync(guest, dom0, source, cancellationToken)).ConfigureAwait(false);
            down = await context.MedianAsync($"{Id} dom0->guest", () => MoveAsync(dom0, guest, source, cancellationToken)).ConfigureAwait(false);
        }

        var raw = await RawRingLimit.MeasureAsync(context, Id, bytes, cancellationToken).ConfigureAwait(false);

        // xenconsoled serves ptys only: measured beside the pty figure.
        List<Baseline> xenconsoled = [];
        if (connection == ChannelConnection.Pty)
        {
            var (consoledUp, consoledDown) = await XenconsoledThroughput.MeasureAsync(context, Id, cancellationToken).ConfigureAwait(false);
            var slower = Math.Min(consoledUp, consoledDown);
            xenconsoled.Add(new Baseline("xenconsoled (primary console -> pty, same emulator), slower direction", slower));
            xenconsoled.Add(new Baseline("ours / xenconsoled", Math.Min(up, down) / slower, "x"));
        }

        return new FigureResult
        {
            Id = Id,
            Name = Name,
            Target = Target,
            Unit = "MiB/s",
            Ours = Math.Min(up, down),
            PeerName = raw.Limit.Name,
            Peer = raw.Limit.Value,
            MinRatio = 0.8,
            Runs = context.Options.Repetitions,
            Also = [new Baseline("guest->dom0", up), new Baseline("dom0->guest", down), raw.Other, .. xenconsoled],
            Note = string.Create(CultureInfo.InvariantCulture, $"{bytes >> 20} MiB per run and direction; guest end = the emulator's hvc pty{(connection == ChannelConnection.Pty ? $"; xenconsoled with --overflow-data=keep, {XenconsoledThroughput.Bytes(context.Quick) >> 10} KiB per run" : "")}"),
        };
    }

    private static Stream OpenDom0(ChannelRig rig)
    {
        if (rig.SocketPath is { } path)
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            socket.Connect(new UnixDomainSocketEndPoint(path));
            return new NetworkStream(socket, ownsSocket: true);
        }

        return Tty.OpenRaw(rig.DomTty ?? throw new InvalidOperationException("the pty channel has no tty node"));
    }

    internal static async Task<double> MoveAsync(Stream from, Stream to, byte[] source, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RunTimeout);
        var clock = Stopwatch.StartNew();
        var writer = Task.Run(
            async () =>
            {
                for (var offset = 0; offset < source.Length; offset += ChunkSize)
                {
                    await from.WriteAsync(source.AsMemory(offset, Math.Min(ChunkSize, source.Length - offset)), timeout.Token).ConfigureAwait(false);
                }
            },
            timeout.Token);
        var buffer = new byte[ChunkSize];
        var received = 0;
        while (received < source.Length)
        {
            var read = await to.ReadAsync(buffer.AsMemory(0, Math.Min(buffer.Length, source.Length - received)), timeout.Token).ConfigureAwait(false);
            if (read == 0)
            {
                throw new EndOfStreamException($"the channel ended after {received} of {source.Length} bytes");
            }

            if (!buffer.AsSpan(0, read).SequenceEqual(source.AsSpan(received, read)))
            {
                throw new InvalidDataException($"the channel delivered wrong bytes in {received}..{received + read}");
            }

            received += read;
        }

        clock.Stop();
        await writer.ConfigureAwait(false);
        return source.Length / clock.Elapsed.TotalSeconds / (1 << 20);
    }
}
