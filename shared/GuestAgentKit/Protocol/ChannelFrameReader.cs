namespace GuestAgentKit.Protocol;

/// <summary>
/// Splits a channel byte stream into resync markers (0xFF) and LF-terminated lines with a hard cap
/// (docs/protocol.md "Framing"). A line over the cap is discarded as it streams past, so the buffer
/// never grows beyond the cap plus one read chunk, and each byte is scanned once (no quadratic
/// rescans). Bytes of an unfinished line are dropped when a marker or EOF interrupts it. One reader
/// per stream; not thread-safe.
/// </summary>
internal sealed class ChannelFrameReader
{
    /// <summary>The resync marker: 0xFF never occurs in UTF-8 text.</summary>
    public const byte Marker = 0xFF;

    private readonly Stream _stream;
    private readonly int _chunk;
    private byte[] _buffer = [];
    private int _start;
    private int _end;
    private int _scanned;
    private long _discarding = -1;

    public ChannelFrameReader(Stream stream, int chunkBytes = Limits.ProtocolReadChunkBytes)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkBytes, 1);
        _stream = stream;
        _chunk = chunkBytes;
    }

    /// <summary>The buffer's current size: at most the largest cap used plus one chunk.</summary>
    public int BufferCapacity => _buffer.Length;

    /// <summary>Reads the next marker, line, oversized-line report or end of stream.</summary>
    /// <param name="maxLineBytes">Longest line accepted, without LF.</param>
    /// <param name="cancellationToken">Cancels the wait for bytes.</param>
    public async ValueTask<ChannelFrame> ReadAsync(int maxLineBytes, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLineBytes, 1);
        while (true)
        {
            if (TryTakeFrame(maxLineBytes, out var frame))
            {
                return frame;
            }

            Compact(maxLineBytes);
            var read = await _stream.ReadAsync(_buffer.AsMemory(_end, Math.Min(_chunk, _buffer.Length - _end)), cancellationToken)
                .ConfigureAwait(false);
            if (read == 0)
            {
                _start = _end = _scanned = 0;
                _discarding = -1;
                return ChannelFrame.EndFrame;
            }

            _end += read;
        }
    }

    private bool TryTakeFrame(int maxLineBytes, out ChannelFrame frame)
    {
        var pending = _buffer.AsSpan(_start + _scanned, _end - _start - _scanned);
        var at = pending.IndexOfAny((byte)'\n', Marker);
        if (at < 0)
        {
            _scanned = _end - _start;
            if (_discarding >= 0)
            {
                // Stream the oversized line away: count it, keep nothing.
                _discarding += _end - _start;
                _start = _end = _scanned = 0;
            }
            else if (_scanned > maxLineBytes)
            {
                _discarding = _scanned;
                _start = _end = _scanned = 0;
            }

            frame = default;
            return false;
        }

        var position = _start + _scanned + at;
        var length = position - _start;
        var discarded = _discarding;
        _start = position + 1;
        _scanned = 0;
        _discarding = -1;
        if (_buffer[position] == Marker)
        {
            frame = ChannelFrame.MarkerFrame;
        }
        else if (discarded >= 0 || length > maxLineBytes)
        {
            frame = new(ChannelFrameKind.Oversized, default, Math.Max(discarded, 0) + length);
        }
        else
        {
            var line = _buffer.AsMemory(position - length, length);
            if (line.Span is [.., (byte)'\r'])
            {
                line = line[..^1];
            }

            frame = new(ChannelFrameKind.Line, line, length);
        }

        return true;
    }

    private void Compact(int maxLineBytes)
    {
        var pending = _end - _start;
        if (_start > 0)
        {
            _buffer.AsSpan(_start, pending).CopyTo(_buffer);
            _start = 0;
            _end = pending;
        }

        // Here pending <= maxLineBytes (longer lines switched to discarding), so the buffer stays
        // within maxLineBytes + one chunk.
        if (_buffer.Length - _end < _chunk)
        {
            var size = Math.Min(Math.Max(_buffer.Length * 2, _chunk), maxLineBytes + _chunk);
            if (size > _buffer.Length)
            {
                Array.Resize(ref _buffer, size);
            }
        }
    }
}
