using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using GuestAgentKit.Channels;
using GuestAgentKit.Posix;
using StreamJsonRpc;
using StreamJsonRpc.Protocol;

namespace GuestAgentKit.Protocol;

/// <summary>
/// The agent's end of a channel (docs/protocol.md): waits for a resync marker, answers the hello,
/// serves JSON-RPC until dom0 starts a new session (marker) or the stream ends, and goes back to
/// waiting — for any number of sessions. Stale bytes, garbage, oversized lines, unknown methods and
/// bad parameters never end <see cref="RunAsync"/>; only end of stream (hangup) and cancellation do. A
/// session that fails for any other reason is reported (<see cref="AgentSessionEventKind.SessionFaulted"/>)
/// and reset: the agent waits for dom0's next marker on the same stream.
/// </summary>
public sealed class AgentEndpoint
{
    private const string BuiltinPrefix = "agent";
    private readonly AgentEndpointOptions _options;
    private readonly List<AgentRpcTarget> _targets = [AgentRpcTarget.Create<IAgentBuiltins>(BuiltinPrefix, new AgentBuiltins())];
    private ChannelJsonRpc? _session;

    // Set from just before a welcome is written until its session is published: dom0 may notice the welcome
    // and expect notifications before the session exists, so NotifyAsync waits for it instead of dropping.
    private TaskCompletionSource<ChannelJsonRpc?>? _starting;

    /// <summary>Creates an agent endpoint for one channel.</summary>
    /// <param name="channel">The channel this agent serves; a hello naming another is rejected.</param>
    /// <param name="identity">Name and version reported in the welcome.</param>
    /// <param name="options">Line cap, versions, serialization; null for defaults.</param>
    public AgentEndpoint(ChannelName channel, AgentIdentity identity, AgentEndpointOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(identity);
        Channel = channel;
        Identity = identity;
        _options = options ?? new AgentEndpointOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxLineBytes, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfZero(_options.ProtocolVersions.Count, nameof(options));
        if (LongestWelcomeBytes() > Limits.HandshakeLineMaxBytes)
        {
            throw new ArgumentException(Invariant($"the agent identity makes the welcome line exceed {Limits.HandshakeLineMaxBytes} bytes"), nameof(identity));
        }
    }

    /// <summary>The channel this agent serves.</summary>
    public ChannelName Channel { get; }

    /// <summary>Name and version reported in the welcome.</summary>
    public AgentIdentity Identity { get; }

    /// <summary>Every JSON-RPC method served, as listed in the welcome.</summary>
    public IReadOnlyList<string> Methods => [.. _targets.SelectMany(t => t.Methods)];

    /// <summary>
    /// Raised (synchronously, on the loop) for handshakes, rejects, session ends and bad lines. On an
    /// <see cref="FdStream"/> the loop runs on the poller's thread: handlers must not block.
    /// </summary>
    public event EventHandler<AgentSessionEventArgs>? SessionEvent;

    /// <summary>
    /// Serves the methods of <typeparamref name="TInterface"/> as <c>prefix.method</c> (camelCase, without
    /// "Async"). Register before <see cref="RunAsync"/>.
    /// </summary>
    /// <typeparam name="TInterface">The interface whose methods are served (only those).</typeparam>
    /// <param name="prefix">Namespace of the methods, e.g. <c>clipboard</c>.</param>
    /// <param name="target">The implementation.</param>
    /// <returns>This endpoint.</returns>
    public AgentEndpoint AddTarget<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.All)] TInterface>(string prefix, TInterface target)
        where TInterface : class
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        ArgumentNullException.ThrowIfNull(target);
        if (!prefix.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_'))
        {
            throw new ArgumentException($"method prefix '{prefix}' may only contain ASCII letters, digits, '.', '-' and '_'", nameof(prefix));
        }

        var added = AgentRpcTarget.Create(prefix, target);
        var clash = added.Methods.Intersect(Methods, StringComparer.Ordinal).FirstOrDefault();
        if (clash is not null)
        {
            throw new ArgumentException($"method '{clash}' is already served by another target", nameof(target));
        }

        _targets.Add(added);
        if (LongestWelcomeBytes() > Limits.HandshakeLineMaxBytes)
        {
            _targets.RemoveAt(_targets.Count - 1);
            throw new ArgumentException(
                Invariant($"with these methods the welcome line would exceed {Limits.HandshakeLineMaxBytes} bytes, which dom0 would discard"),
                nameof(target));
        }

        return this;
    }

    /// <summary>
    /// Sends a JSON-RPC notification (no <c>id</c>, no answer) to dom0 in the current session, e.g. a plugin
    /// reporting a change (<c>clipboard.changed</c>). Safe from any thread. A notification is not queued:
    /// with no session running, or when the session ends during the write, it is dropped and this returns
    /// false — the guest cannot know whether a dom0 client is listening, and the next client asks for the
    /// current state anyway.
    /// </summary>
    /// <param name="method">The notification's method name, e.g. <c>clipboard.changed</c>.</param>
    /// <param name="arguments">Null for none, else an object sent as named parameters (<c>"params":{...}</c>).</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>True when the notification was handed to the session's writer.</returns>
    /// <exception cref="LineTooLongException">The notification would exceed the line cap; nothing was sent.</exception>
    public async Task<bool> NotifyAsync(string method, object? arguments, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        var session = Volatile.Read(ref _starting) is { } starting
            ? await starting.Task.WaitAsync(cancellationToken).ConfigureAwait(false)
            : Volatile.Read(ref _session);
        if (session is null || session.IsDisposed)
        {
            return false;
        }

        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            await (arguments is null ? session.NotifyAsync(method) : session.NotifyNamedAsync(method, arguments)).ConfigureAwait(false);
            return !session.IsDisposed;
        }
        catch (Exception ex) when (ex is ObjectDisposedException or ConnectionLostException or IOException)
        {
            return false;
        }
    }

    /// <summary>Bytes of the longest possible welcome JSON (longest nonce, largest version).</summary>
    private int LongestWelcomeBytes() =>
        Handshake.EncodeWelcome(new string('0', Limits.HandshakeNonceMaxChars), int.MaxValue, Identity, Methods).Length - 2;

    /// <summary>Runs sessions on <paramref name="stream"/> until it ends (EOF or a stream error = hangup) or cancellation.</summary>
    /// <param name="stream">The channel, e.g. the raw /dev/hvcN tty. An <see cref="FdStream"/> is switched to <see cref="FdStream.ReadsContinueOnPoller"/>.</param>
    /// <param name="cancellationToken">Stops the loop.</param>
    /// <returns>A task that completes when the stream ended; reopen the device and call again after a hangup.</returns>
    public async Task RunAsync(Stream stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (stream is FdStream descriptor)
        {
            // Our read side only frames lines, answers hellos, raises SessionEvent and hands requests to
            // StreamJsonRpc, which runs the methods on the session's DispatchThread: short and non-blocking,
            // so it may continue on the poller's thread (one thread-pool hop less per request).
            descriptor.ReadsContinueOnPoller = true;
        }

        var reader = new ChannelFrameReader(stream);
        using var writer = new ChannelLineWriter(stream);
        var haveMarker = false;
        try
        {
            while (true)
            {
                var frame = await reader.ReadAsync(Limits.HandshakeLineMaxBytes, cancellationToken).ConfigureAwait(false);
                if (frame.Kind == ChannelFrameKind.EndOfStream)
                {
                    Raise(AgentSessionEventKind.SessionEnded, "the channel reached end of stream (hangup)");
                    return;
                }

                if (frame.Kind == ChannelFrameKind.Marker)
                {
                    haveMarker = true;
                    continue;
                }

                if (!haveMarker)
                {
                    continue; // Stale bytes before any marker.
                }

                haveMarker = false;
                if (frame.Kind == ChannelFrameKind.Oversized)
                {
                    Raise(AgentSessionEventKind.MalformedHello, Invariant($"ignored a hello of {frame.Length} bytes; the limit is {Limits.HandshakeLineMaxBytes} bytes"));
                    continue;
                }

                var version = await AnswerHelloAsync(frame.Line, writer, cancellationToken).ConfigureAwait(false);
                if (version is null)
                {
                    continue;
                }

                switch (await ServeSessionAsync(reader, writer, cancellationToken).ConfigureAwait(false))
                {
                    case ChannelReadEnd.Marker:
                        haveMarker = true; // dom0's new session: its hello follows.
                        break;
                    case ChannelReadEnd.EndOfStream or ChannelReadEnd.StreamError:
                        return;
                    default:
                        // The session failed above the framing (reported by ServeSessionAsync); the stream is
                        // still open, so reset: back to waiting for dom0's next marker.
                        break;
                }
            }
        }
        catch (IOException ex)
        {
            Raise(AgentSessionEventKind.SessionEnded, "the channel hung up: " + ex.Message);
        }
        finally
        {
            EndStarting(null);

            // The loop may have ended on the poller's thread (see above): the caller's code must not run there.
            if (FdPoller.OnPollerThread)
            {
                await Task.CompletedTask.ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
            }
        }
    }

    private void EndStarting(ChannelJsonRpc? session) => Interlocked.Exchange(ref _starting, null)?.TrySetResult(session);

    private async Task<int?> AnswerHelloAsync(ReadOnlyMemory<byte> line, ChannelLineWriter writer, CancellationToken cancellationToken)
    {
        var hello = Handshake.TryDecode(line.Span);
        if (hello?.Gak != HandshakeMessage.Hello || !Handshake.IsValidNonce(hello.Nonce))
        {
            Raise(AgentSessionEventKind.MalformedHello, "ignored a line after a marker that is not a hello with a valid nonce");
            return null;
        }

        var supported = _options.ProtocolVersions;
        string? reason = null;
        string? message = null;
        var kind = AgentSessionEventKind.MalformedHello;
        int? version = null;
        if (hello.Channel is null || hello.Versions is not { Length: > 0 and <= Limits.HandshakeMaxVersions })
        {
            (reason, message) = (Handshake.MalformedHello, Invariant($"a hello needs \"channel\" and 1 to {Limits.HandshakeMaxVersions} \"versions\""));
        }
        else if (hello.Channel != Channel.Value)
        {
            (reason, message, kind) = (Handshake.NameMismatch, $"this agent serves '{Channel}', not '{PeerText.Quote(hello.Channel)}'", AgentSessionEventKind.NameMismatch);
        }
        else
        {
            version = hello.Versions.Where(supported.Contains).Select(v => (int?)v).Max();
            if (version is null)
            {
                (reason, message, kind) = (Handshake.VersionMismatch, $"this agent speaks versions [{string.Join(",", supported)}], dom0 offered [{string.Join(",", hello.Versions)}]", AgentSessionEventKind.VersionMismatch);
            }
        }

        var answer = version is { } chosen
            ? Handshake.EncodeWelcome(hello.Nonce!, chosen, Identity, Methods)
            : Handshake.EncodeReject(hello.Nonce!, reason!, message!, Channel, supported);
        // Report before answering, so whoever sees the answer also finds the event already raised.
        Raise(version is null ? kind : AgentSessionEventKind.SessionStarted, version is null ? "rejected the hello: " + message : Invariant($"session started with protocol version {version}"));
        if (version is not null)
        {
            Volatile.Write(ref _starting, new TaskCompletionSource<ChannelJsonRpc?>(TaskCreationOptions.RunContinuationsAsynchronously));
        }

        await writer.WriteAsync(answer, null, cancellationToken).ConfigureAwait(false);
        return version;
    }

    /// <summary>Serves one JSON-RPC session and reports how it ended.</summary>
    /// <returns>How the session's read side ended: a marker (new session), end of stream or a stream error
    /// (hangup), or <see cref="ChannelReadEnd.None"/> when the session failed with the stream still open.</returns>
    private async Task<ChannelReadEnd> ServeSessionAsync(ChannelFrameReader reader, ChannelLineWriter writer, CancellationToken cancellationToken)
    {
        ChannelMessageHandler handler = null!;
        handler = new ChannelMessageHandler(
            reader,
            writer,
            ChannelJsonRpc.CreateFormatter(_options.JsonTypeInfoResolver),
            _options.MaxLineBytes,
            (lineEvent, length, ct) => OnLineEventAsync(handler, lineEvent, length, ct))
        {
            AcceptsResponses = false,
        };
        Exception? fault = null;
        using var rpc = new ChannelJsonRpc(handler);

        // Declared after rpc, so disposed first: by then rpc.Completion has waited for every dispatched method.
        using var dispatch = new DispatchThread("gak-rpc-dispatch");
        rpc.SynchronizationContext = dispatch;
        rpc.CancelLocallyInvokedMethodsWhenConnectionIsClosed = true;
        foreach (var target in _targets)
        {
            target.AddTo(rpc);
        }

        rpc.StartListening();
        Volatile.Write(ref _session, rpc);
        EndStarting(rpc);
        using (cancellationToken.Register(rpc.Dispose))
        {
            try
            {
                // Completes only after StreamJsonRpc disposed the handler, which waits for its last read:
                // afterwards the frame reader is ours again.
                await rpc.Completion.ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Whatever ended the session, the loop decides from how the read side ended.
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
            {
                fault = ex;
            }
            finally
            {
                Interlocked.CompareExchange(ref _session, null, rpc);
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        var (kind, message) = handler.ReadEnd switch
        {
            ChannelReadEnd.Marker => (AgentSessionEventKind.SessionEnded, "dom0 started a new session"),
            ChannelReadEnd.EndOfStream => (AgentSessionEventKind.SessionEnded, "the channel reached end of stream (hangup)"),
            ChannelReadEnd.StreamError => (AgentSessionEventKind.SessionEnded, "the channel hung up: " + handler.ReadError?.Message),
            _ => (AgentSessionEventKind.SessionFaulted, $"the JSON-RPC session failed ({Describe(fault)}); waiting for a new hello"),
        };
        Raise(kind, message);
        return handler.ReadEnd;
    }

    /// <summary>A fault for the log: type and message of the innermost cause, shortened (it may quote peer bytes).</summary>
    private static string Describe(Exception? fault)
    {
        while (fault is AggregateException { InnerExceptions: [_] } or ConnectionLostException { InnerException: { } })
        {
            fault = fault.InnerException;
        }

        return fault is null ? "no error reported" : fault.GetType().Name + ": " + PeerText.Quote(fault.Message, maxChars: 300);
    }

    private async ValueTask<bool> OnLineEventAsync(ChannelMessageHandler handler, ChannelLineEvent lineEvent, long length, CancellationToken cancellationToken)
    {
        switch (lineEvent)
        {
            case ChannelLineEvent.Marker:
                return false;
            case ChannelLineEvent.Oversized:
                var tooLong = Invariant($"line too long: {length} bytes; the limit is {_options.MaxLineBytes} bytes");
                Raise(AgentSessionEventKind.LineTooLong, "discarded a " + tooLong);
                await handler.WriteRawLineAsync(ErrorLine(JsonRpcErrorCode.InvalidRequest, tooLong), cancellationToken).ConfigureAwait(false);
                return true;
            default:
                Raise(AgentSessionEventKind.UnparsableLine, Invariant($"a line of {length} bytes is not a JSON-RPC message"));
                await handler.WriteRawLineAsync(ErrorLine(JsonRpcErrorCode.ParseError, "parse error: the line is not a JSON-RPC 2.0 message"), cancellationToken).ConfigureAwait(false);
                return true;
        }
    }

    /// <summary>A JSON-RPC error response with <c>"id":null</c> (the request id could not be read). Our own text only.</summary>
    private static byte[] ErrorLine(JsonRpcErrorCode code, string message) =>
        Encoding.UTF8.GetBytes(Invariant($"{{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{{\"code\":{(int)code},\"message\":\"{message}\"}}}}\n"));

    private void Raise(AgentSessionEventKind kind, string message) => SessionEvent?.Invoke(this, new AgentSessionEventArgs(kind, message));

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
