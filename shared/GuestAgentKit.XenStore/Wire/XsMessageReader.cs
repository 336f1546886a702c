using System.Buffers;

namespace GuestAgentKit.XenStore.Wire;

/// <summary>Splits a byte stream into xenstore messages: need more data, a message, or
/// <see cref="XenStoreProtocolException"/>.</summary>
public static class XsMessageReader
{
    /// <summary>Tries to read one message from the start of <paramref name="buffer"/>.</summary>
    /// <param name="buffer">Received bytes.</param>
    /// <param name="message">The message, when one is complete.</param>
    /// <param name="consumed">Bytes the message occupied (0 when more are needed).</param>
    /// <returns>False when more bytes are needed.</returns>
    /// <exception cref="XenStoreProtocolException">The header announces more than <see cref="Limits.XenStorePayloadMax"/>
    /// payload bytes; thrown from the header alone, before any body is buffered.</exception>
    public static bool TryRead(ReadOnlySequence<byte> buffer, out XsMessage? message, out long consumed)
    {
        message = null;
        consumed = 0;
        if (buffer.Length < XsHeader.Size)
        {
            return false;
        }

        Span<byte> headerBytes = stackalloc byte[XsHeader.Size];
        buffer.Slice(0, XsHeader.Size).CopyTo(headerBytes);
        var header = ReadCheckedHeader(headerBytes);
        var total = XsHeader.Size + (long)header.Length;
        if (buffer.Length < total)
        {
            return false;
        }

        message = new XsMessage(header.Type, header.RequestId, header.TransactionId, buffer.Slice(XsHeader.Size, header.Length).ToArray());
        consumed = total;
        return true;
    }

    /// <summary>Tries to read one message from the start of <paramref name="buffer"/>.</summary>
    /// <param name="buffer">Received bytes.</param>
    /// <param name="message">The message, when one is complete.</param>
    /// <param name="consumed">Bytes the message occupied (0 when more are needed).</param>
    /// <returns>False when more bytes are needed.</returns>
    /// <exception cref="XenStoreProtocolException">The header announces an oversized payload.</exception>
    public static bool TryRead(ReadOnlySpan<byte> buffer, out XsMessage? message, out int consumed)
    {
        message = null;
        consumed = 0;
        if (buffer.Length < XsHeader.Size)
        {
            return false;
        }

        var header = ReadCheckedHeader(buffer);
        var total = XsHeader.Size + (int)header.Length;
        if (buffer.Length < total)
        {
            return false;
        }

        message = new XsMessage(header.Type, header.RequestId, header.TransactionId, buffer[XsHeader.Size..total].ToArray());
        consumed = total;
        return true;
    }

    /// <summary>Reads a header and checks its length against the payload limit.</summary>
    /// <param name="headerBytes">At least 16 bytes.</param>
    /// <returns>The header, with a length within the limit.</returns>
    /// <exception cref="XenStoreProtocolException">The length exceeds <see cref="Limits.XenStorePayloadMax"/>.</exception>
    public static XsHeader ReadCheckedHeader(ReadOnlySpan<byte> headerBytes)
    {
        var header = XsHeader.Read(headerBytes);
        if (header.Length > Limits.XenStorePayloadMax)
        {
            throw new XenStoreProtocolException(
                $"xenstore message announces {header.Length} payload bytes, more than XENSTORE_PAYLOAD_MAX ({Limits.XenStorePayloadMax}); type {(uint)header.Type}, req_id {header.RequestId}.");
        }

        return header;
    }
}
