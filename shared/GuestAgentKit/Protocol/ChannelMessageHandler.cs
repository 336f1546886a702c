using System.Buffers;
using StreamJsonRpc;
using StreamJsonRpc.Protocol;

namespace GuestAgentKit.Protocol;

/// <summary>
/// StreamJsonRpc framing for one session: one JSON-RPC message per LF-terminated line, read through
/// the capped <see cref="ChannelFrameReader"/> (StreamJsonRpc's own newline handler has no cap). What
/// is not a message (marker, oversized or unparsable line) goes to the session's policy, which decides
/// whether the session goes on. Once the read side has ended, writes are dropped, so a reply of an old
/// session never lands in a new one.
/// </summary>
internal sealed class ChannelMessageHandler : MessageHandlerBase
{
    /// <summary>Decides what a non-message means; returns false to end the session.</summary>
    public delegate ValueTask<bool> LineEventPolicy(ChannelLineEvent lineEvent, long length, CancellationToken cancellationToken);

    private readonly ChannelFrameReader _reader;
    private readonly ChannelLineWriter _writer;
    private readonly int _maxLineBytes;
    private readonly LineEventPolicy _policy;
    private readonly Action? _onActivity;
    private volatile bool _ended;

    public ChannelMessageHandler(
        ChannelFrameReader reader,
        ChannelLineWriter writer,
        SystemTextJsonFormatter formatter,
        int maxLineBytes,
        LineEventPolicy policy,
        Action? onActivity = null)
        : base(formatter)
    {
        _reader = reader;
        _writer = writer;
        _maxLineBytes = maxLineBytes;
        _policy = policy;
        _onActivity = onActivity;
    }

    /// <summary>
    /// Whether results and errors are messages here. The agent calls nothing, so on its end a response is
    /// not a message: StreamJsonRpc would fault the whole session on a response matching no request.
    /// </summary>
    public bool AcceptsResponses { get; init; } = true;

    /// <summary>How the read side ended; <see cref="ChannelReadEnd.None"/> while it runs, or when the session was faulted or disposed above it.</summary>
    public ChannelReadEnd ReadEnd { get; private set; }

    /// <summary>The I/O error that ended reading, with <see cref="ChannelReadEnd.StreamError"/>.</summary>
    public IOException? ReadError { get; private set; }

    public override bool CanRead => true;

    public override bool CanWrite => true;

    protected override async ValueTask<JsonRpcMessage?> ReadCoreAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            ChannelFrame frame;
            try
            {
                frame = await _reader.ReadAsync(_maxLineBytes, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                (ReadEnd, ReadError) = (ChannelReadEnd.StreamError, ex);
                throw;
            }

            _onActivity?.Invoke();
            switch (frame.Kind)
            {
                case ChannelFrameKind.EndOfStream:
                    return await EndAsync(ChannelReadEnd.EndOfStream).ConfigureAwait(false);
                case ChannelFrameKind.Marker:
                    if (!await _policy(ChannelLineEvent.Marker, 0, cancellationToken).ConfigureAwait(false))
                    {
                        return await EndAsync(ChannelReadEnd.Marker).ConfigureAwait(false);
                    }

                    break;
                case ChannelFrameKind.Oversized:
                    if (!await _policy(ChannelLineEvent.Oversized, frame.Length, cancellationToken).ConfigureAwait(false))
                    {
                        return await EndAsync(ChannelReadEnd.Refused).ConfigureAwait(false);
                    }

                    break;
                default:
                    if (frame.Line.Span.Trim((byte)' ').IsEmpty)
                    {
                        break;
                    }

                    // The formatter may keep references into the buffer until the request is dispatched,
                    // which is after the reader reused it: give it its own copy.
                    var message = TryDeserialize(frame.Line.ToArray());
                    if (message is not null)
                    {
                        return message;
                    }

                    if (!await _policy(ChannelLineEvent.Unparsable, frame.Length, cancellationToken).ConfigureAwait(false))
                    {
                        return await EndAsync(ChannelReadEnd.Refused).ConfigureAwait(false);
                    }

                    break;
            }
        }
    }

    private JsonRpcMessage? TryDeserialize(byte[] line)
    {
        try
        {
            return Formatter.Deserialize(new ReadOnlySequence<byte>(line)) switch
            {
                // "method":null parses as a request, and StreamJsonRpc's dispatch then throws ArgumentException,
                // which faults the session (found by the agent fuzz, docs/reliability.md): not a message.
                JsonRpcRequest { Method: null } => null,
                JsonRpcResult or JsonRpcError when !AcceptsResponses => null,
                var message => message,
            };
        }
#pragma warning disable CA1031 // Peer bytes: whatever the formatter throws on them means "not a message".
        catch (Exception)
#pragma warning restore CA1031
        {
            return null;
        }
    }

    private async ValueTask<JsonRpcMessage?> EndAsync(ChannelReadEnd how)
    {
        ReadEnd = how;
        await _writer.RunExclusiveAsync(() => _ended = true, CancellationToken.None).ConfigureAwait(false);
        return null;
    }

    /// <summary>Writes a raw, already complete line (used for errors about lines that never became messages).</summary>
    public ValueTask<bool> WriteRawLineAsync(ReadOnlyMemory<byte> line, CancellationToken cancellationToken) =>
        _writer.WriteAsync(line, () => !_ended, cancellationToken);

    protected override async ValueTask WriteCoreAsync(JsonRpcMessage content, CancellationToken cancellationToken)
    {
        if (content is JsonRpcError { Error: { Data: CommonErrorData } detail })
        {
            // StreamJsonRpc attaches exception type, message and stack trace to some errors it creates
            // itself (e.g. invalid params); none of that may cross the channel.
            detail.Data = null;
        }

        var buffer = new ArrayBufferWriter<byte>();
        Formatter.Serialize(buffer, content);
        if (buffer.WrittenCount > _maxLineBytes)
        {
            if (content is not JsonRpcResult result)
            {
                throw new LineTooLongException("the outgoing JSON-RPC message is a line", _maxLineBytes, buffer.WrittenCount);
            }

            // A result too large for the peer to read is answered as an error, so the caller is not left waiting.
            var size = buffer.WrittenCount;
            buffer = new ArrayBufferWriter<byte>();
            Formatter.Serialize(buffer, new JsonRpcError
            {
                RequestId = result.RequestId,
                Error = new JsonRpcError.ErrorDetail
                {
                    Code = JsonRpcErrorCode.InternalError,
                    Message = FormattableString.Invariant($"the result is {size} bytes, too large for the channel: the line limit is {_maxLineBytes} bytes"),
                },
            });
        }

        buffer.Write("\n"u8);
        await _writer.WriteAsync(buffer.WrittenMemory, () => !_ended, cancellationToken).ConfigureAwait(false);
    }

    protected override ValueTask FlushAsync(CancellationToken cancellationToken) => default;
}
