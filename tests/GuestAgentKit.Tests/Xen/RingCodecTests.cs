using System.Buffers.Binary;
using GuestAgentKit.Xen.Rings;

namespace GuestAgentKit.Tests.Xen;

public sealed class RingCodecTests : IDisposable
{
    private readonly GuardedPage _page = new();

    public void Dispose() => _page.Dispose();

    public static TheoryData<uint> StartIndices()
    {
        var data = new TheoryData<uint>();
        for (uint i = 0; i < 2048; i += 97)
        {
            data.Add(i);
        }

        for (uint i = 0; i < 40; i += 3)
        {
            data.Add(uint.MaxValue - i); // free-running u32 indices wrap through zero
        }

        data.Add(2047);
        data.Add(2048);
        return data;
    }

    [Theory]
    [MemberData(nameof(StartIndices))]
    public void WriteThenRead_AnyStartIndex_RoundTripsAndSplitsAtRingEnd(uint start)
    {
        SetIndices(XenConsInterface.Out, start, start);
        var frontend = ConsoleRing.Frontend(_page.Page);
        var backend = ConsoleRing.Backend(_page.Page);
        var payload = Enumerable.Range(0, 2048).Select(i => (byte)(i * 7)).ToArray();

        Assert.Equal(RingStatus.Ok, frontend.Writer.Write(payload, out var written));
        Assert.Equal(2048, written); // the whole ring fits
        Assert.Equal(RingStatus.Ok, frontend.Writer.Write(payload, out written));
        Assert.Equal(0, written); // and now it is full

        Assert.Equal(RingStatus.Ok, backend.Reader.GetReadable(out var segments));
        Assert.Equal(2048 - (int)(start % 2048), segments.First.Length);
        Assert.Equal(payload, segments.First.ToArray().Concat(segments.Second.ToArray()).ToArray());
        backend.Reader.Advance(2048);

        Assert.Equal(start + 2048, ReadIndex(XenConsInterface.OutConsOffset));
        Assert.Equal(start + 2048, ReadIndex(XenConsInterface.OutProdOffset));
        Assert.True(_page.GuardsIntact);
    }

    [Theory]
    [MemberData(nameof(StartIndices))]
    public void PartialChunks_AnyStartIndex_PreserveOrder(uint start)
    {
        SetIndices(XenConsInterface.In, start, start);
        var backend = ConsoleRing.Backend(_page.Page);
        var frontend = ConsoleRing.Frontend(_page.Page);
        var received = new List<byte>();
        var buffer = new byte[300];
        for (var round = 0; round < 8; round++)
        {
            var chunk = Enumerable.Range(0, 300).Select(i => (byte)(round + i)).ToArray();
            Assert.Equal(RingStatus.Ok, backend.Writer.Write(chunk, out var written));
            Assert.Equal(300, written);
            Assert.Equal(RingStatus.Ok, frontend.Reader.Read(buffer, out var read));
            received.AddRange(buffer[..read]);
        }

        Assert.Equal(Enumerable.Range(0, 8).SelectMany(r => Enumerable.Range(0, 300).Select(i => (byte)(r + i))), received);
    }

    [Fact]
    public void RandomInterleavings_DeliverExactlyTheProducedBytes()
    {
        var random = new Random(20251125);
        for (var trial = 0; trial < 20; trial++)
        {
            _page.Page.Clear();
            var start = (uint)random.NextInt64(0, uint.MaxValue + 1L);
            SetIndices(XenStoreDomainInterface.Req, start, start);
            var client = XenStoreRing.Client(_page.Page);
            var server = XenStoreRing.Server(_page.Page);
            var produced = new List<byte>();
            var consumed = new List<byte>();
            byte next = 0;
            for (var step = 0; step < 500; step++)
            {
                var action = random.Next(4);
                if (action == 0)
                {
                    // Zero-copy producer: fill a random prefix of the exposed space, then commit it.
                    Assert.Equal(RingStatus.Ok, client.Writer.GetWritable(out var space));
                    var fill = random.Next(0, space.Length + 1);
                    var chunk = new byte[fill];
                    for (var i = 0; i < fill; i++)
                    {
                        chunk[i] = next++;
                    }

                    var toFirst = Math.Min(fill, space.First.Length);
                    chunk.AsSpan(0, toFirst).CopyTo(space.First.Span);
                    chunk.AsSpan(toFirst).CopyTo(space.Second.Span);
                    client.Writer.Commit(fill);
                    produced.AddRange(chunk);
                }
                else if (action == 1)
                {
                    var chunk = new byte[random.Next(0, 1500)];
                    for (var i = 0; i < chunk.Length; i++)
                    {
                        chunk[i] = next++;
                    }

                    Assert.Equal(RingStatus.Ok, client.Writer.Write(chunk, out var written));
                    produced.AddRange(chunk[..written]);
                    next = (byte)(next - (chunk.Length - written)); // unwritten bytes are produced again later
                }
                else if (action == 2)
                {
                    var buffer = new byte[random.Next(0, 1500)];
                    Assert.Equal(RingStatus.Ok, server.Reader.Read(buffer, out var read));
                    consumed.AddRange(buffer[..read]);
                }
                else
                {
                    // Zero-copy path: take a random prefix of what is exposed.
                    Assert.Equal(RingStatus.Ok, server.Reader.GetReadable(out var segments));
                    var take = random.Next(0, segments.Length + 1);
                    var all = segments.First.ToArray().Concat(segments.Second.ToArray()).ToArray();
                    consumed.AddRange(all[..take]);
                    server.Reader.Advance(take);
                }

                Assert.True(produced.Count - consumed.Count is >= 0 and <= 1024);
            }

            var rest = new byte[1024];
            Assert.Equal(RingStatus.Ok, server.Reader.Read(rest, out var last));
            consumed.AddRange(rest[..last]);
            Assert.Equal(produced, consumed);
        }

        Assert.True(_page.GuardsIntact);
    }

    [Theory]
    [InlineData(0u, 2049u)] // prod - cons > size
    [InlineData(10u, 9u)] // cons > prod
    [InlineData(0u, uint.MaxValue)]
    [InlineData(uint.MaxValue, 2048u)] // wraps to 2049
    [InlineData(5u, 0x8000_0005u)]
    public void HostileIndices_ReportBrokenWithoutTouchingData(uint cons, uint prod)
    {
        SetIndices(XenConsInterface.Out, cons, prod);
        var backend = ConsoleRing.Backend(_page.Page);
        var before = _page.Bytes.ToArray();

        Assert.Equal(RingStatus.Broken, backend.Reader.GetReadable(out var segments));
        Assert.True(segments.IsEmpty);
        Assert.Equal(RingStatus.Broken, backend.Reader.Read(new byte[4096], out var read));
        Assert.Equal(0, read);
        Assert.Contains($"out_cons={cons}", backend.Reader.BrokenReason, StringComparison.Ordinal);
        Assert.Contains($"out_prod={prod}", backend.Reader.BrokenReason, StringComparison.Ordinal);

        var frontend = ConsoleRing.Frontend(_page.Page);
        Assert.Equal(RingStatus.Broken, frontend.Writer.Write(new byte[4096], out var written));
        Assert.Equal(0, written);
        Assert.Equal(before, _page.Bytes.ToArray());
        Assert.True(_page.GuardsIntact);
    }

    [Fact]
    public void RandomHostileIndices_NeverThrowNorEscapeThePage()
    {
        var random = new Random(7);
        var buffer = new byte[4096];
        for (var i = 0; i < 5000; i++)
        {
            var page = _page.Bytes;
            random.NextBytes(page[3072..3088]);
            var backend = ConsoleRing.Backend(_page.Page);
            var frontend = ConsoleRing.Frontend(_page.Page);
            var status = backend.Reader.Read(buffer, out var read);
            Assert.True(status == RingStatus.Ok ? read <= 2048 : read == 0);
            status = backend.Writer.Write(buffer, out var written);
            Assert.True(status == RingStatus.Ok ? written <= 1024 : written == 0);
            frontend.Reader.Read(buffer, out _);
            frontend.Writer.Write(buffer, out _);
        }

        Assert.True(_page.GuardsIntact);
    }

    [Fact]
    public void Broken_IsSticky_EvenIfPeerRepairsIndices()
    {
        SetIndices(XenConsInterface.Out, 0, 5000);
        var backend = ConsoleRing.Backend(_page.Page);
        Assert.Equal(RingStatus.Broken, backend.Reader.GetReadable(out _));

        SetIndices(XenConsInterface.Out, 0, 0);

        Assert.Equal(RingStatus.Broken, backend.Reader.GetReadable(out _));
    }

    [Fact]
    public void AdvanceAndCommit_BeyondExposed_ThrowForCallerBug()
    {
        var backend = ConsoleRing.Backend(_page.Page);
        Assert.Equal(RingStatus.Ok, backend.Reader.GetReadable(out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => backend.Reader.Advance(1));
        Assert.Equal(RingStatus.Ok, backend.Writer.GetWritable(out var space));
        Assert.Equal(1024, space.Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => backend.Writer.Commit(1025));
    }

    private void SetIndices(RingLayout layout, uint cons, uint prod)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_page.Bytes[layout.ConsumerIndexOffset..], cons);
        BinaryPrimitives.WriteUInt32LittleEndian(_page.Bytes[layout.ProducerIndexOffset..], prod);
    }

    private uint ReadIndex(int offset) => BinaryPrimitives.ReadUInt32LittleEndian(_page.Bytes[offset..]);
}
