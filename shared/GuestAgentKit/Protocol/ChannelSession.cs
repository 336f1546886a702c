using System.Text;
using GuestAgentKit.Channels;
using GuestAgentKit.Posix;
using StreamJsonRpc;

namespace GuestAgentKit.Protocol;

/// <summary>
/// dom0's end of a channel session (docs/protocol.md): sends marker + hello, waits for the welcome
/// carrying its nonce (discarding stale bytes), then makes JSON-RPC calls with a per-call timeout and
/// keeps the session alive with <c>agent.ping</c>. The first fatal reason wins; pending calls then fail
/// with it.
/// </summary>
public sealed class ChannelSession : IAsyncDisposable
{
    /// <summary>The protocol version this implementation speaks.</summary>
    public const int ProtocolVersion = 1;

    private readonly Stream _stream;
    private readonly HostSessionOptions _options;
    private readonly ChannelLineWriter _writer;
    private readonly ChannelJsonRpc _rpc;
    private readonly ITimer? _keepalive;
    private Task? _completion;
    private long _lastActivity;
    private Exception? _abortReason;
    private int _disposed;

    private ChannelSession(Stream stream, HostSessionOptions options, ChannelFrameReader reader, ChannelLineWriter writer, AgentWelcome welcome)
    {
        _stream = stream;
        _options = options;
        _writer = writer;
        Welcome = welcome;
        _lastActivity = options.TimeProvider.GetTimestamp();
        var handler = new ChannelMessageHandler(
            reader,
            writer,
            ChannelJsonRpc.CreateFormatter(options.JsonTypeInfoResolver),
            options.MaxLineBytes,
            OnLineEventAsync,
            () => Interlocked.Exchange(ref _lastActivity, options.TimeProvider.GetTimestamp()));
        _rpc = new ChannelJsonRpc(handler);
        foreach (var (method, notificationHandler) in options.NotificationHandlers ?? new Dictionary<string, Delegate>())
        {
            _rpc.AddLocalRpcMethod(method, notificationHandler);
        }

        _rpc.StartListening();
        if (options.KeepaliveInterval != Timeout.InfiniteTimeSpan)
        {
            _keepalive = options.TimeProvider.CreateTimer(_ => OnKeepaliveTick(), null, options.KeepaliveInterval, options.KeepaliveInterval);
        }
    }

    /// <summary>What the agent said in its welcome.</summary>
    public AgentWelcome Welcome { get; }

    /// <summary>Completes when the session has ended (agent hangup, fatal protocol error, keepalive failure or disposal).</summary>
    public Task Completion => _completion ??= LeavePollerAsync(_rpc.Completion);

    /// <summary>Why the session ended, when it ended because of an error; null otherwise.</summary>
    public Exception? CloseReason => Volatile.Read(ref _abortReason);

    /// <summary>Starts a session on <paramref name="stream"/>: marker + hello, then waits for the matching welcome.</summary>
    /// <param name="stream">A duplex stream to the channel (a backend socket, a pty...).</param>
    /// <param name="expectedName">The channel name the agent must serve.</param>
    /// <param name="options">Timeouts, versions, serialization; null for defaults.</param>
    /// <param name="cancellationToken">Cancels the handshake.</param>
    /// <returns>The session, owning <paramref name="stream"/> unless <see cref="HostSessionOptions.LeaveStreamOpen"/>.</returns>
    /// <exception cref="HandshakeTimeoutException">No welcome with our nonce in time.</exception>
    /// <exception cref="ChannelNameMismatchException">The agent serves another channel.</exception>
    /// <exception cref="ProtocolVersionMismatchException">No common protocol version.</exception>
    /// <exception cref="HandshakeRejectedException">The agent rejected the hello for another reason.</exception>
    /// <exception cref="ChannelSessionClosedException">The stream ended during the handshake.</exception>
    public static async Task<ChannelSession> ConnectAsync(
        Stream stream,
        ChannelName expectedName,
        HostSessionOptions? options,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(expectedName);
        options ??= new HostSessionOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxLineBytes, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfZero(options.ProtocolVersions.Count, nameof(options));
        var reader = new ChannelFrameReader(stream);
        var writer = new ChannelLineWriter(stream);
        try
        {
            var welcome = await HandshakeAsync(reader, writer, expectedName, options, cancellationToken).ConfigureAwait(false);
            return new ChannelSession(stream, options, reader, writer, welcome);
        }
        catch
        {
            writer.Dispose();
            if (!options.LeaveStreamOpen)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    private static async Task<AgentWelcome> HandshakeAsync(
        ChannelFrameReader reader,
        ChannelLineWriter writer,
        ChannelName expectedName,
        HostSessionOptions options,
        CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(options.HandshakeTimeout, options.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        var nonce = Handshake.NewNonce();
        string? lastStaleLine = null;
        try
        {
            IOException? writeFailure = null;
            try
            {
                await writer.WriteAsync(Handshake.EncodeHello(nonce, expectedName, options.ProtocolVersions), null, linked.Token)
                    .ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                // EPIPE: the other end closed already (e.g. a busy backend, after writing why). Read what it said.
                writeFailure = ex;
            }

            var afterMarker = false;
            while (true)
            {
                var frame = await reader.ReadAsync(Limits.HandshakeLineMaxBytes, linked.Token).ConfigureAwait(false);
                switch (frame.Kind)
                {
                    case ChannelFrameKind.EndOfStream:
                        throw ClosedDuringHandshake(lastStaleLine, writeFailure);
                    case ChannelFrameKind.Line when !afterMarker && !frame.Line.IsEmpty:
                        lastStaleLine = Encoding.UTF8.GetString(frame.Line.Span);
                        break;
                    case ChannelFrameKind.Marker:
                        afterMarker = true;
                        continue;
                    case ChannelFrameKind.Line when afterMarker:
                        var message = Handshake.TryDecode(frame.Line.Span);
                        if (message is not null && message.Nonce == nonce)
                        {
                            return Accept(message, expectedName, options.ProtocolVersions);
                        }

                        break;
                }

                // Anything else is stale: old welcomes (other nonces), replies of an old session, modem probes.
                afterMarker = false;
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new HandshakeTimeoutException(options.HandshakeTimeout);
        }
        catch (IOException ex)
        {
            throw ClosedDuringHandshake(lastStaleLine, ex);
        }
    }

    /// <summary>The channel ended before a welcome; quotes the last line that was not one (a backend says "busy" that way).</summary>
    private static ChannelSessionClosedException ClosedDuringHandshake(string? lastLine, IOException? cause)
    {
        var message = "the channel closed during the handshake (no agent, or the backend dropped the connection)";
        if (lastLine is not null)
        {
            message += $"; its last line was '{PeerText.Quote(lastLine, maxChars: 160)}'";
        }

        return cause is null ? new ChannelSessionClosedException(message) : new ChannelSessionClosedException(message, cause);
    }

    private static AgentWelcome Accept(HandshakeMessage message, ChannelName expectedName, IReadOnlyList<int> offered)
    {
        if (message.Gak == HandshakeMessage.Reject)
        {
            throw message.Reason switch
            {
                Handshake.NameMismatch => new ChannelNameMismatchException(expectedName.Value, message.Channel),
                Handshake.VersionMismatch => new ProtocolVersionMismatchException(offered, message.Versions ?? []),
                _ => new HandshakeRejectedException(message.Reason ?? "(no reason)", message.Message),
            };
        }

        if (message.Gak != HandshakeMessage.Welcome || message.Version is not { } version || !offered.Contains(version)
            || message.Agent is not { Name: not null, Version: not null } agent || message.Methods is null
            || message.Methods.Any(m => m is null))
        {
            throw new ChannelProtocolException(
                $"the agent answered the hello with a malformed welcome (it must be a welcome with one of the offered versions [{string.Join(",", offered)}], agent name, version and methods)");
        }

        return new AgentWelcome(agent, version, message.Methods);
    }

    /// <summary>Calls <paramref name="method"/> and waits for its result, at most the per-call timeout.</summary>
    /// <typeparam name="T">The result type (its metadata must be resolvable, see <see cref="HostSessionOptions.JsonTypeInfoResolver"/>).</typeparam>
    /// <param name="method">The JSON-RPC method, e.g. <c>agent.ping</c>.</param>
    /// <param name="arguments">Null for no parameters, else an object sent as named parameters (<c>"params":{...}</c>).</param>
    /// <param name="cancellationToken">Cancels this call only (the agent gets <c>$/cancelRequest</c>).</param>
    /// <returns>The result.</returns>
    /// <exception cref="AgentCallTimeoutException">No answer within the per-call timeout.</exception>
    /// <exception cref="RemoteInvocationException">The agent answered with a JSON-RPC error (code and message only).</exception>
    /// <exception cref="ChannelSessionClosedException">The session ended before the answer.</exception>
    /// <exception cref="LineTooLongException">The agent's answer exceeded the line cap (the session is closed).</exception>
    /// <exception cref="ChannelProtocolException">The agent's result does not deserialize as <typeparamref name="T"/>.</exception>
    public async Task<T> InvokeAsync<T>(string method, object? arguments, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        var call = CallAsync<T>(method, arguments, cancellationToken);
        await LeavePollerAsync(call).ConfigureAwait(false);
        return await call.ConfigureAwait(false);
    }

    /// <summary>
    /// Awaits <paramref name="task"/> (rethrowing its failure) so that the caller's continuation never runs on a poller
    /// thread: on an <see cref="FdStream"/> with <see cref="FdStream.ReadsContinueOnPoller"/> the read loop runs there,
    /// and StreamJsonRpc fails pending calls and completes the session from the read loop when the stream ends.
    /// </summary>
    private static async Task LeavePollerAsync(Task task)
    {
        await task.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (FdPoller.OnPollerThread)
        {
            await Task.CompletedTask.ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
        }

        await task.ConfigureAwait(false);
    }

    private async Task<T> CallAsync<T>(string method, object? arguments, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        using var timeout = new CancellationTokenSource(_options.CallTimeout, _options.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            var call = arguments is null
                ? _rpc.InvokeWithCancellationAsync<T>(method, [], linked.Token)
                : _rpc.InvokeNamedAsync<T>(method, arguments, linked.Token);

            // StreamJsonRpc sends $/cancelRequest on cancellation but then waits for the agent's answer;
            // an agent that never answers must not hold the caller beyond the timeout.
            return await call.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new AgentCallTimeoutException(method, _options.CallTimeout);
        }
        catch (Exception ex) when (ex is ConnectionLostException or ObjectDisposedException or IOException || (ex is OperationCanceledException && _rpc.IsDisposed))
        {
            throw ClosedException(ex);
        }
        catch (System.Text.Json.JsonException ex)
        {
            // The agent is not trusted: a result of the wrong shape is its protocol error, not the caller's bug.
            throw new ChannelProtocolException($"the agent answered '{method}' with a result that is not a {typeof(T).Name}: {ex.Message}", ex);
        }
    }

    private Exception ClosedException(Exception cause) => Volatile.Read(ref _abortReason) switch
    {
        LineTooLongException tooLong => new LineTooLongException("the agent sent a line", tooLong.Limit, tooLong.Observed),
        { } reason => new ChannelSessionClosedException("the channel session is closed: " + reason.Message, reason),
        null => new ChannelSessionClosedException("the channel session is closed (the agent or the backend hung up)", cause),
    };

    private ValueTask<bool> OnLineEventAsync(ChannelLineEvent lineEvent, long length, CancellationToken cancellationToken)
    {
        switch (lineEvent)
        {
            case ChannelLineEvent.Oversized:
                // We cannot tell which call the line answered: end the session (the read side returns end
                // of stream), failing every pending call with this reason.
                Interlocked.CompareExchange(ref _abortReason, new LineTooLongException("the agent sent a line", _options.MaxLineBytes, length), null);
                return ValueTask.FromResult(false);
            default:
                // A marker or a garbage line from the agent's side is not part of this session: skip it.
                return ValueTask.FromResult(true);
        }
    }

    private void OnKeepaliveTick()
    {
        if (_rpc.Completion.IsCompleted)
        {
            _keepalive?.Dispose();
            return;
        }

        var idle = _options.TimeProvider.GetElapsedTime(Interlocked.Read(ref _lastActivity));
        if (idle >= _options.KeepaliveInterval && Volatile.Read(ref _disposed) == 0)
        {
            _ = PingAsync();
        }
    }

    private async Task PingAsync()
    {
        try
        {
            await InvokeAsync<string>("agent.ping", null, CancellationToken.None).ConfigureAwait(false);
        }
        catch (AgentCallTimeoutException ex)
        {
            Abort(new ChannelSessionClosedException(
                $"the agent did not answer the keepalive ping within {ProtocolText.Duration(ex.Timeout)}", ex));
        }
#pragma warning disable CA1031 // A keepalive failure for any other reason means the session is already ending.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private void Abort(Exception reason)
    {
        if (Interlocked.CompareExchange(ref _abortReason, reason, null) is null)
        {
            _keepalive?.Dispose();
            _rpc.Dispose();
        }
    }

    /// <summary>Ends the session: stops keepalive, fails pending calls, closes the stream unless told to leave it open.</summary>
    /// <returns>A task that completes when everything is released.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_keepalive is not null)
        {
            await _keepalive.DisposeAsync().ConfigureAwait(false);
        }

        _rpc.Dispose();
        try
        {
            await _rpc.Completion.ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The session's fault is already reported through CloseReason and the calls.
        catch (Exception)
#pragma warning restore CA1031
        {
        }

        _writer.Dispose();
        if (!_options.LeaveStreamOpen)
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
    }
}
