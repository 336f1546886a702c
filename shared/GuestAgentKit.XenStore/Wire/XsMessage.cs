namespace GuestAgentKit.XenStore.Wire;

/// <summary>One whole xenstore message: header and payload.</summary>
/// <param name="Type">The message type.</param>
/// <param name="RequestId">The request id (<c>req_id</c>).</param>
/// <param name="TransactionId">The transaction id (<c>tx_id</c>).</param>
/// <param name="Payload">The payload, at most <see cref="Limits.XenStorePayloadMax"/> bytes.</param>
public sealed record XsMessage(XsMessageType Type, uint RequestId, uint TransactionId, byte[] Payload)
{
    /// <summary>Encodes header and payload into one buffer, so that a device file receives the whole
    /// message in one write (Linux /dev/xen/xenbus requires it).</summary>
    /// <returns>16 header bytes followed by the payload.</returns>
    /// <exception cref="ArgumentException">The payload exceeds <see cref="Limits.XenStorePayloadMax"/>.</exception>
    public byte[] Encode()
    {
        if (Payload.Length > Limits.XenStorePayloadMax)
        {
            throw new ArgumentException(
                $"xenstore payload of {Payload.Length} bytes exceeds XENSTORE_PAYLOAD_MAX ({Limits.XenStorePayloadMax}).", nameof(Payload));
        }

        var buffer = new byte[XsHeader.Size + Payload.Length];
        new XsHeader(Type, RequestId, TransactionId, (uint)Payload.Length).Write(buffer);
        Payload.CopyTo(buffer.AsSpan(XsHeader.Size));
        return buffer;
    }
}
