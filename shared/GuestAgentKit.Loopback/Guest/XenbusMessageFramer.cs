using GuestAgentKit.XenStore.Wire;

namespace GuestAgentKit.Loopback.Guest;

/// <summary>
/// Reads whole xenstore messages from a byte stream into a fixed buffer of one maximal message: the
/// header's length is checked against the payload limit before any body is buffered.
/// </summary>
internal sealed class XenbusMessageFramer(Stream stream)
{
    private readonly byte[] _buffer = new byte[XsHeader.Size + Limits.XenStorePayloadMax];
    private int _filled;

    /// <summary>The next message, or null at end of stream.</summary>
    /// <exception cref="XenStoreProtocolException">Oversized message, or the stream ended inside a message.</exception>
    public async ValueTask<XsMessage?> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (XsMessageReader.TryRead(_buffer.AsSpan(0, _filled), out var message, out var consumed))
            {
                _buffer.AsSpan(consumed, _filled - consumed).CopyTo(_buffer);
                _filled -= consumed;
                return message;
            }

            var read = await stream.ReadAsync(_buffer.AsMemory(_filled), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return _filled == 0 ? null : throw new XenStoreProtocolException($"stream ended inside a xenstore message ({_filled} bytes)");
            }

            _filled += read;
        }
    }
}
