using System.Text;
using GuestAgentKit.Protocol;

namespace GuestAgentKit.Tests.Protocol;

public sealed class ChannelFrameReaderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ReadAsync_MarkersAndLines_SplitsAndStripsCr()
    {
        var reader = new ChannelFrameReader(new MemoryStream([.. "stale half"u8, 0xFF, .. "one\r\n\ntwo\n"u8, 0xFF, .. "cut"u8]));

        var frames = new List<string>();
        ChannelFrame frame;
        do
        {
            frame = await reader.ReadAsync(100, Ct);
            frames.Add(frame.Kind == ChannelFrameKind.Line ? "L:" + Encoding.UTF8.GetString(frame.Line.Span) : frame.Kind.ToString());
        }
        while (frame.Kind != ChannelFrameKind.EndOfStream);

        Assert.Equal(["Marker", "L:one", "L:", "L:two", "Marker", "EndOfStream"], frames);
    }

    [Fact]
    public async Task ReadAsync_LineAtCap_AcceptedAndOneOverIsOversized()
    {
        var reader = new ChannelFrameReader(new MemoryStream([.. new byte[10].Select(_ => (byte)'a'), (byte)'\n', .. new byte[11].Select(_ => (byte)'b'), (byte)'\n']), chunkBytes: 3);

        var atCap = await reader.ReadAsync(10, Ct);
        var over = await reader.ReadAsync(10, Ct);

        Assert.Equal((ChannelFrameKind.Line, 10), (atCap.Kind, atCap.Line.Length));
        Assert.Equal((ChannelFrameKind.Oversized, 11L), (over.Kind, over.Length));
    }

    [Fact]
    public async Task ReadAsync_HugeLineOverSocket_DiscardedWithBoundedBuffer()
    {
        await using var pair = await SocketPair.CreateAsync();
        const int Cap = 64 * 1024;
        const int Huge = 10 * 1024 * 1024;
        var writer = Task.Run(
            async () =>
            {
                var chunk = new byte[64 * 1024];
                Array.Fill(chunk, (byte)'{');
                for (var sent = 0; sent < Huge; sent += chunk.Length)
                {
                    await pair.Host.WriteAsync(chunk, Ct);
                }

                await pair.Host.WriteAsync("\n{\"ok\":1}\n"u8.ToArray(), Ct);
            },
            Ct);
        var reader = new ChannelFrameReader(pair.Guest);

        var oversized = await reader.ReadAsync(Cap, Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(20), Ct);
        var next = await reader.ReadAsync(Cap, Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Ct);
        await writer.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.Equal((ChannelFrameKind.Oversized, (long)Huge), (oversized.Kind, oversized.Length));
        Assert.Equal("{\"ok\":1}", Encoding.UTF8.GetString(next.Line.Span));
        Assert.InRange(reader.BufferCapacity, 1, Cap + Limits.ProtocolReadChunkBytes);
    }

    [Fact]
    public async Task ReadAsync_MarkerInsideOversizedLine_EndsDiscardingWithMarker()
    {
        var reader = new ChannelFrameReader(new MemoryStream([.. Enumerable.Repeat((byte)'a', 50), 0xFF, .. "ok\n"u8]), chunkBytes: 4);

        Assert.Equal(ChannelFrameKind.Marker, (await reader.ReadAsync(10, Ct)).Kind);
        var line = await reader.ReadAsync(10, Ct);
        Assert.Equal("ok", Encoding.UTF8.GetString(line.Line.Span));
    }

    [Fact]
    public async Task ReadAsync_EveryPrefixOfInput_NeverThrows()
    {
        byte[] input = [.. "x\r\n"u8, 0xFF, .. "{\"a\":1}\n"u8, 0xFF, 0xFF, .. "\n\n\r"u8];
        for (var length = 0; length <= input.Length; length++)
        {
            var reader = new ChannelFrameReader(new MemoryStream(input[..length]), chunkBytes: 2);
            var count = 0;
            while ((await reader.ReadAsync(4, Ct)).Kind != ChannelFrameKind.EndOfStream)
            {
                count++;
            }

            Assert.InRange(count, 0, length);
        }
    }
}
