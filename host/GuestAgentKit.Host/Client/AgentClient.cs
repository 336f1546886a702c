using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using GuestAgentKit.Channels;
using GuestAgentKit.Posix;
using GuestAgentKit.Protocol;
using GuestAgentKit.XenStore;

namespace GuestAgentKit.Host.Client;

/// <summary>
/// The orchestrator's client for a guest agent: connects to the channel's Unix socket (served by
/// <c>gak-host backend</c>), opens a protocol session (<see cref="ChannelSession"/>: marker, hello, welcome), and
/// calls JSON-RPC methods with a per-call timeout. Disposing ends the session losslessly: <c>shutdown(SHUT_RD)</c>
/// first, so the backend's next write fails and keeps the guest's bytes in the ring for the next client, then
/// reading what was already queued to end of stream, then closing.
/// </summary>
public sealed class AgentClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly ChannelSession _session;
    private int _disposed;

    private AgentClient(string socketPath, Socket socket, ChannelSession session)
    {
        SocketPath = socketPath;
        _socket = socket;
        _session = session;
    }

    /// <summary>The channel socket.</summary>
    public string SocketPath { get; }

    /// <summary>What the agent said in its welcome (name, version, protocol version, methods).</summary>
    public AgentWelcome Welcome => _session.Welcome;

    /// <summary>The session, for what this type does not wrap.</summary>
    public ChannelSession Session => _session;

    /// <summary>Connects to a channel socket and opens a session.</summary>
    /// <param name="socketPath">The channel's Unix socket.</param>
    /// <param name="channel">The channel name the agent must serve.</param>
    /// <param name="options">Timeouts; null for defaults.</param>
    /// <param name="cancellationToken">Cancels connecting and the handshake.</param>
    /// <returns>The client.</returns>
    /// <exception cref="AgentConnectionException">No socket, refused, no agent answering, or the agent rejected the hello.</exception>
    public static async Task<AgentClient> ConnectAsync(string socketPath, ChannelName channel, AgentClientOptions? options, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(socketPath);
        ArgumentNullException.ThrowIfNull(channel);
        options ??= new AgentClientOptions();
        var socket = await ConnectSocketAsync(socketPath, options.ConnectTimeout, cancellationToken).ConfigureAwait(false);
        try
        {
            var stream = UnixSocket.OpenStream(socket, socketPath);
            var session = await ChannelSession.ConnectAsync(
                stream,
                channel,
                new HostSessionOptions
                {
                    HandshakeTimeout = options.HandshakeTimeout,
                    CallTimeout = options.CallTimeout,
                    KeepaliveInterval = options.KeepaliveInterval,
                    JsonTypeInfoResolver = options.JsonTypeInfoResolver,
                    TimeProvider = options.TimeProvider,
                    NotificationHandlers = options.NotificationHandlers,
                },
                cancellationToken).ConfigureAwait(false);

            // From here the session's read side only frames and parses, then hands each response to StreamJsonRpc, which
            // completes it on the thread pool (and ChannelSession keeps callers off the poller in the paths that do not):
            // one thread-pool hop per response less than NetworkStream's socket engine.
            stream.ReadsContinueOnPoller = true;
            return new AgentClient(socketPath, socket, session);
        }
        catch (Exception ex)
        {
            await CloseLosslesslyAsync(socket).ConfigureAwait(false);
            throw ex switch
            {
                HandshakeTimeoutException timeout => new AgentConnectionException(
                    $"no agent answered the handshake within {Seconds(timeout.Timeout)} on {socketPath}: is the guest agent installed and running?", ex),
                ChannelProtocolException => new AgentConnectionException($"the handshake on {socketPath} failed: {ex.Message}", ex),
                _ => ex,
            };
        }
    }

    /// <summary>Finds the channel's socket in dom0's xenstore (<see cref="ChannelSocketLocator"/>), then connects.</summary>
    /// <param name="xenstore">A dom0 xenstore connection.</param>
    /// <param name="domain">A domid or domain name.</param>
    /// <param name="channel">The channel name.</param>
    /// <param name="options">Timeouts; null for defaults.</param>
    /// <param name="cancellationToken">Cancels everything.</param>
    /// <returns>The client.</returns>
    /// <exception cref="AgentConnectionException">Unknown domain or channel, or connecting failed.</exception>
    public static async Task<AgentClient> ConnectAsync(XenStoreOperations xenstore, string domain, ChannelName channel, AgentClientOptions? options, CancellationToken cancellationToken)
    {
        var domid = await ChannelSocketLocator.ResolveDomainAsync(xenstore, domain, cancellationToken).ConfigureAwait(false);
        var path = await ChannelSocketLocator.FindSocketAsync(xenstore, domid, channel, cancellationToken).ConfigureAwait(false);
        return await ConnectAsync(path, channel, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Calls a method with typed arguments and result.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="method">E.g. <c>config.apply</c>.</param>
    /// <param name="arguments">Null, or an object sent as named parameters.</param>
    /// <param name="cancellationToken">Cancels the call (the agent gets <c>$/cancelRequest</c>).</param>
    /// <returns>The result.</returns>
    /// <exception cref="AgentCallTimeoutException">No answer within the per-call timeout.</exception>
    /// <exception cref="StreamJsonRpc.RemoteRpcException">The agent answered with an error (<c>ErrorCode</c>, message):
    /// <c>RemoteMethodNotFoundException</c> for an unknown method, <c>RemoteInvocationException</c> for a failed one.</exception>
    /// <exception cref="ChannelSessionClosedException">The session ended.</exception>
    public Task<T> InvokeAsync<T>(string method, object? arguments, CancellationToken cancellationToken) =>
        _session.InvokeAsync<T>(method, arguments, cancellationToken);

    /// <summary>Calls a method with raw JSON parameters (an object, or null for none) and returns the raw JSON result.</summary>
    /// <param name="method">The method.</param>
    /// <param name="parameters">A JSON object of named parameters, or null.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentException"><paramref name="parameters"/> is not a JSON object.</exception>
    public Task<JsonElement> InvokeJsonAsync(string method, JsonElement? parameters, CancellationToken cancellationToken)
    {
        if (parameters is { } p && p.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException("parameters must be a JSON object (named parameters)", nameof(parameters));
        }

        var named = parameters?.EnumerateObject().ToDictionary(m => m.Name, m => (object?)m.Value.Clone(), StringComparer.Ordinal);
        return _session.InvokeAsync<JsonElement>(method, named, cancellationToken);
    }

    /// <summary><c>agent.ping</c>.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>"pong".</returns>
    public Task<string> PingAsync(CancellationToken cancellationToken) => _session.InvokeAsync<string>("agent.ping", null, cancellationToken);

    /// <summary><c>agent.info</c> as JSON (agentName, agentVersion, protocolVersions, hostname, os, uptimeSeconds, methods...).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The agent's description.</returns>
    public Task<JsonElement> GetInfoAsync(CancellationToken cancellationToken) => _session.InvokeAsync<JsonElement>("agent.info", null, cancellationToken);

    /// <summary>Ends the session losslessly (see the type's summary) and closes the socket.</summary>
    /// <returns>A task completing when closed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // The session stops reading and writing but leaves the socket to us: the close must be ordered.
        await _session.DisposeAsync().ConfigureAwait(false);
        await CloseLosslesslyAsync(_socket).ConfigureAwait(false);
    }

    private static string Seconds(TimeSpan time) =>
        time.TotalSeconds >= 1
            ? time.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s"
            : time.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture) + " ms";

    private static async Task<Socket> ConnectSocketAsync(string path, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            return await UnixSocket.ConnectAsync(path, limit.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw new AgentConnectionException(ex is SocketException se ? ConnectError(path, se) : $"connecting to {path} timed out: is `gak-host backend` running?", ex);
        }
    }

    private static string ConnectError(string path, SocketException ex) => ex.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => $"connection refused on {path}: is `gak-host backend` running?",
        SocketError.AddressNotAvailable or SocketError.HostNotFound when !File.Exists(path) =>
            $"no channel socket at {path}: is `gak-host backend` running and the channel provisioned?",
        SocketError.AccessDenied => $"permission denied on {path}: run as root or as a member of the backend's socket group",
        _ when !File.Exists(path) => $"no channel socket at {path}: is `gak-host backend` running and the channel provisioned?",
        _ => $"cannot connect to {path}: {ex.Message}",
    };

    private static async Task CloseLosslesslyAsync(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Receive);
            using var drain = new CancellationTokenSource(Limits.AgentClientDrainTimeout);
            var buffer = new byte[Limits.ProtocolReadChunkBytes];
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, drain.Token).ConfigureAwait(false) > 0)
            {
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The peer is gone or slow: nothing more can be kept for it.
        }
        finally
        {
            socket.Dispose();
        }
    }
}
