using System.Buffers;
using GuestAgentKit.Xen;
using GuestAgentKit.XenStore;
using GuestAgentKit.XenStore.Wire;

namespace GuestAgentKit.Tests.XenStore;

public sealed class XsWireTests
{
    public static TheoryData<XsMessageType, byte[]> Golden()
    {
        var data = new TheoryData<XsMessageType, byte[]>();
        foreach (var type in Enum.GetValues<XsMessageType>())
        {
            data.Add(type, XsPayload.Strings("/local/domain/1", "tok"));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Golden))]
    public void Encode_EachType_LaysOutXsdSockmsgLittleEndian(XsMessageType type, byte[] payload)
    {
        var bytes = new XsMessage(type, 0x01020304, 7, payload).Encode();

        var t = (uint)type;
        byte[] header = [(byte)t, (byte)(t >> 8), (byte)(t >> 16), (byte)(t >> 24), 4, 3, 2, 1, 7, 0, 0, 0, (byte)payload.Length, 0, 0, 0];
        Assert.Equal([.. header, .. payload], bytes);
        Assert.True(XsMessageReader.TryRead(bytes.AsSpan(), out var message, out var consumed));
        Assert.Equal(bytes.Length, consumed);
        Assert.Equal(type, message!.Type);
        Assert.Equal(payload, message.Payload);
    }

    [Fact]
    public void Encode_ReadRequest_MatchesGoldenBytes()
    {
        byte[] golden = [2, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, (byte)'/', (byte)'a', 0];
        Assert.Equal(golden, new XsMessage(XsMessageType.Read, 9, 0, XsPayload.Strings("/a")).Encode());
    }

    [Fact]
    public void TryRead_EveryTruncation_NeedsMore()
    {
        var bytes = new XsMessage(XsMessageType.Write, 5, 1, XsPayload.PathAndValue("/a/b", "value"u8)).Encode();
        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.False(XsMessageReader.TryRead(bytes.AsSpan(0, length), out _, out var consumed));
            Assert.Equal(0, consumed);
            Assert.False(XsMessageReader.TryRead(new ReadOnlySequence<byte>(bytes, 0, length), out _, out var consumedSequence));
            Assert.Equal(0, consumedSequence);
        }

        Assert.True(XsMessageReader.TryRead(new ReadOnlySequence<byte>(bytes), out var message, out var all));
        Assert.Equal(bytes.Length, all);
        Assert.Equal(XsMessageType.Write, message!.Type);
    }

    [Fact]
    public void TryRead_OversizedLength_RejectedFromHeaderAlone()
    {
        var header = new byte[XsHeader.Size];
        new XsHeader(XsMessageType.Read, 1, 0, 4097).Write(header);

        var error = Assert.Throws<XenStoreProtocolException>(() => XsMessageReader.TryRead(header.AsSpan(), out _, out _));
        Assert.Contains("4097", error.Message, StringComparison.Ordinal);
        Assert.Throws<XenStoreProtocolException>(() => XsMessageReader.TryRead(new ReadOnlySequence<byte>(header), out _, out _));
    }

    [Fact]
    public void TryRead_PayloadAtLimit_Accepted()
    {
        var bytes = new XsMessage(XsMessageType.Write, 1, 0, new byte[4096]).Encode();
        Assert.True(XsMessageReader.TryRead(bytes.AsSpan(), out var message, out _));
        Assert.Equal(4096, message!.Payload.Length);
    }

    [Theory]
    [InlineData("ENOENT\0", XsErrorCode.ENOENT)]
    [InlineData("EAGAIN", XsErrorCode.EAGAIN)]
    [InlineData("E2BIG\0", XsErrorCode.E2BIG)]
    [InlineData("EWHATEVER\0", XsErrorCode.Unknown)]
    [InlineData("enoent\0", XsErrorCode.Unknown)]
    [InlineData("", XsErrorCode.Unknown)]
    public void ErrorsParse_Names_MapOrUnknown(string payload, XsErrorCode expected) =>
        Assert.Equal(expected, XsErrors.Parse(System.Text.Encoding.ASCII.GetBytes(payload)));

    [Fact]
    public void ErrorsFormat_RoundTripsEveryCode()
    {
        foreach (var code in Enum.GetValues<XsErrorCode>().Where(c => c != XsErrorCode.Unknown))
        {
            Assert.Equal(code, XsErrors.Parse(XsErrors.Format(code)));
        }
    }

    [Theory]
    [InlineData("/local/domain/1/device", false, true)]
    [InlineData("device/console/1", false, true)]
    [InlineData("/", false, true)]
    [InlineData("@releaseDomain", true, true)]
    [InlineData("@releaseDomain", false, false)]
    [InlineData("/a//b", false, false)]
    [InlineData("/a/", false, false)]
    [InlineData("/a b", false, false)]
    [InlineData("/a.b", false, false)]
    [InlineData("", false, false)]
    public void PathIsValid_Rules(string path, bool allowSpecial, bool valid) =>
        Assert.Equal(valid, XsPath.IsValid(path, allowSpecial, out _));

    [Fact]
    public void PathIsValid_LengthLimits()
    {
        Assert.True(XsPath.IsValid("/" + new string('a', 3071), false, out _));
        Assert.False(XsPath.IsValid("/" + new string('a', 3072), false, out _));
        Assert.True(XsPath.IsValid(new string('a', 2048), false, out _));
        Assert.False(XsPath.IsValid(new string('a', 2049), false, out var reason));
        Assert.Contains("2048", reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("n0", XsAccess.None, 0)]
    [InlineData("r5", XsAccess.Read, 5)]
    [InlineData("w12", XsAccess.Write, 12)]
    [InlineData("b32751", XsAccess.Both, 32751)]
    public void PermissionParse_RoundTrips(string text, XsAccess access, ushort domain)
    {
        var permission = XsPermission.Parse(text);
        Assert.Equal(new XsPermission(access, new DomainId(domain)), permission);
        Assert.Equal(text, permission.ToString());
    }

    [Theory]
    [InlineData("x1")]
    [InlineData("r")]
    [InlineData("r-1")]
    [InlineData("r70000")]
    [InlineData("")]
    public void PermissionTryParse_Garbage_False(string text) => Assert.False(XsPermission.TryParse(text, out _));

    [Fact]
    public void Dom0Default_ResolutionOrder()
    {
        Assert.Equal(["/x/sock", "/dev/xen/xenbus"], XenStoreEndpoint.Dom0Default(n => n == "XENSTORED_PATH" ? "/x/sock" : "/rundir").Candidates);
        Assert.Equal(["/rundir/socket", "/dev/xen/xenbus"], XenStoreEndpoint.Dom0Default(n => n == "XENSTORED_RUNDIR" ? "/rundir" : null).Candidates);
        Assert.Equal(["/var/run/xenstored/socket", "/dev/xen/xenbus"], XenStoreEndpoint.Dom0Default(_ => null).Candidates);
        Assert.Equal(["/dev/xen/xenbus", "/proc/xen/xenbus"], XenStoreEndpoint.GuestDefault().Candidates);
    }
}
