using System.Buffers.Binary;
using GuestAgentKit.Xen.Rings;

namespace GuestAgentKit.Tests.Xen;

public sealed class RingLayoutTests : IDisposable
{
    private readonly GuardedPage _page = new();

    public void Dispose() => _page.Dispose();

    [Fact]
    public void ConsoleBackendWrite_LandsInInRingAndInProd()
    {
        var backend = ConsoleRing.Backend(_page.Page);

        Assert.Equal(RingStatus.Ok, backend.Writer.Write("abc"u8, out var written));

        Assert.Equal(3, written);
        Assert.Equal("abc"u8.ToArray(), _page.Bytes[0..3].ToArray()); // in[] at 0
        Assert.Equal(3u, U32(3076)); // in_prod
        Assert.Equal(0u, U32(3072)); // in_cons
    }

    [Fact]
    public void ConsoleFrontendWrite_LandsInOutRing_BackendAdvancePublishesOutCons()
    {
        var frontend = ConsoleRing.Frontend(_page.Page);
        var backend = ConsoleRing.Backend(_page.Page);

        Assert.Equal(RingStatus.Ok, frontend.Writer.Write("hello"u8, out _));
        Assert.Equal("hello"u8.ToArray(), _page.Bytes[1024..1029].ToArray()); // out[] at 1024
        Assert.Equal(5u, U32(3084)); // out_prod

        Assert.Equal(RingStatus.Ok, backend.Reader.GetReadable(out var readable));
        Assert.Equal("hello"u8.ToArray(), readable.First.ToArray());
        Assert.Equal(0u, U32(3080)); // nothing published before Advance
        backend.Reader.Advance(5);
        Assert.Equal(5u, U32(3080)); // out_cons
        Assert.True(_page.GuardsIntact);
    }

    [Fact]
    public void ConsoleFrontendRead_TakesInRingBytesFromGoldenPage()
    {
        "xy"u8.CopyTo(_page.Bytes[1022..]); // in[1022..1023], then wraps to in[0..1]
        "zw"u8.CopyTo(_page.Bytes);
        BinaryPrimitives.WriteUInt32LittleEndian(_page.Bytes[3072..], 1022); // in_cons
        BinaryPrimitives.WriteUInt32LittleEndian(_page.Bytes[3076..], 1026); // in_prod

        var buffer = new byte[16];
        Assert.Equal(RingStatus.Ok, ConsoleRing.Frontend(_page.Page).Reader.Read(buffer, out var read));

        Assert.Equal("xyzw"u8.ToArray(), buffer[..read]);
        Assert.Equal(1026u, U32(3072));
    }

    [Fact]
    public void XenStoreClientAndServer_UseReqAndRspAtXsWireOffsets()
    {
        var client = XenStoreRing.Client(_page.Page);
        var server = XenStoreRing.Server(_page.Page);

        Assert.Equal(RingStatus.Ok, client.Writer.Write("req"u8, out _));
        Assert.Equal("req"u8.ToArray(), _page.Bytes[0..3].ToArray()); // req[] at 0
        Assert.Equal(3u, U32(2052)); // req_prod

        var buffer = new byte[8];
        Assert.Equal(RingStatus.Ok, server.Reader.Read(buffer, out var read));
        Assert.Equal(3, read);
        Assert.Equal(3u, U32(2048)); // req_cons

        Assert.Equal(RingStatus.Ok, server.Writer.Write("rsp!"u8, out _));
        Assert.Equal("rsp!"u8.ToArray(), _page.Bytes[1024..1028].ToArray()); // rsp[] at 1024
        Assert.Equal(4u, U32(2060)); // rsp_prod

        Assert.Equal(RingStatus.Ok, client.Reader.Read(buffer, out read));
        Assert.Equal(4, read);
        Assert.Equal(4u, U32(2056)); // rsp_cons
        Assert.True(_page.Bytes[2064..].ToArray().All(b => b == 0)); // server_features, connection, error untouched
    }

    [Fact]
    public void Layouts_MatchCHeaderOffsets()
    {
        Assert.Equal((0, 1024, 3072, 3076), Describe(XenConsInterface.In));
        Assert.Equal((1024, 2048, 3080, 3084), Describe(XenConsInterface.Out));
        Assert.Equal((0, 1024, 2048, 2052), Describe(XenStoreDomainInterface.Req));
        Assert.Equal((1024, 1024, 2056, 2060), Describe(XenStoreDomainInterface.Rsp));
        Assert.Equal(2064, XenStoreDomainInterface.ServerFeaturesOffset);
        Assert.Equal(2068, XenStoreDomainInterface.ConnectionOffset);
        Assert.Equal(2072, XenStoreDomainInterface.ErrorOffset);
        Assert.Equal(3088, XenConsInterface.ConnectionOffset);
    }

    [Theory]
    [InlineData(0, 1000)]
    [InlineData(0, 0)]
    [InlineData(4000, 256)]
    [InlineData(0, -4)]
    public void RingLayout_InvalidGeometry_Throws(int dataOffset, int size)
    {
        Assert.ThrowsAny<ArgumentException>(() => new RingLayout("bad", dataOffset, size, 3072, 3076));
    }

    private static (int, int, int, int) Describe(RingLayout layout) =>
        (layout.DataOffset, layout.Size, layout.ConsumerIndexOffset, layout.ProducerIndexOffset);

    private uint U32(int offset) => BinaryPrimitives.ReadUInt32LittleEndian(_page.Bytes[offset..]);
}
