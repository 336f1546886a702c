using System.Buffers.Binary;

namespace GuestAgentKit.XenStore.Wire;

/// <summary>The 16-byte message header (<c>struct xsd_sockmsg</c>, xs_wire.h), little-endian as on x86.</summary>
/// <param name="Type">The message type (<c>type</c>); may be a value outside the enum when a peer sends garbage.</param>
/// <param name="RequestId">Echoed in the reply (<c>req_id</c>); 0 in watch events.</param>
/// <param name="TransactionId">Transaction the request belongs to, 0 for none (<c>tx_id</c>).</param>
/// <param name="Length">Payload bytes that follow (<c>len</c>).</param>
public readonly record struct XsHeader(XsMessageType Type, uint RequestId, uint TransactionId, uint Length)
{
    /// <summary>Size of <c>struct xsd_sockmsg</c>.</summary>
    public const int Size = 16;

    /// <summary>Reads a header from the first 16 bytes of <paramref name="source"/>.</summary>
    /// <param name="source">At least <see cref="Size"/> bytes.</param>
    /// <returns>The header; not validated.</returns>
    public static XsHeader Read(ReadOnlySpan<byte> source) => new(
        (XsMessageType)BinaryPrimitives.ReadUInt32LittleEndian(source),
        BinaryPrimitives.ReadUInt32LittleEndian(source[4..]),
        BinaryPrimitives.ReadUInt32LittleEndian(source[8..]),
        BinaryPrimitives.ReadUInt32LittleEndian(source[12..]));

    /// <summary>Writes this header into the first 16 bytes of <paramref name="destination"/>.</summary>
    /// <param name="destination">At least <see cref="Size"/> bytes.</param>
    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, (uint)Type);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], RequestId);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], TransactionId);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[12..], Length);
    }
}
