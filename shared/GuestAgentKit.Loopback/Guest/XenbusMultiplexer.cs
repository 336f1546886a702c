using System.Globalization;
using System.Net.Sockets;
using GuestAgentKit.XenStore.Wire;
using Microsoft.Extensions.Logging;

namespace GuestAgentKit.Loopback.Guest;

/// <summary>
/// The emulated guest's xenbus driver: it owns the domain side of the xenstore ring and shares it
/// between the processes connected to <c>R/guests/&lt;D&gt;/xenbus</c>, as Linux's
/// <c>xenbus_dev_frontend</c> shares the ring between the open files of <c>/dev/xen/xenbus</c>:
/// each process has its own request ids (rewritten on the way to the ring, restored in the reply),
/// its own watch tokens (made unique on the ring with a per-connection prefix, restored in
/// WATCH_EVENT), and its transactions are aborted and watches removed when it disconnects.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class XenbusMultiplexer : IAsyncDisposable
{
    private readonly Stream _ring;
    private readonly ILogger _logger;
    private readonly Socket _listener;
    private readonly SemaphoreSlim _ringWrite = new(1, 1);
    private readonly Lock _gate = new();
    private readonly Dictionary<uint, Pending> _pending = [];
    private readonly Dictionary<int, XenbusConnection> _connections = [];
    private readonly List<Task> _tasks = [];
    private readonly CancellationTokenSource _stop = new();
    private uint _nextRequestId;
    private int _nextConnection;
    private Task _ringLoop = Task.CompletedTask;
    private Task _acceptLoop = Task.CompletedTask;

    /// <summary>Serves <paramref name="socketPath"/> over the client end of a domain's xenstore ring.</summary>
    /// <param name="ring">The domain side of the xenstore ring; owned from now on.</param>
    /// <param name="socketPath">Where to listen (replaced if present; mode 0660).</param>
    /// <param name="logger">Where to log.</param>
    public XenbusMultiplexer(Stream ring, string socketPath, ILogger logger)
    {
        _ring = ring;
        _logger = logger;
        SocketPath = socketPath;
        File.Delete(socketPath);
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            _listener.Bind(new UnixDomainSocketEndPoint(socketPath));
            File.SetUnixFileMode(socketPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
            _listener.Listen();
        }
        catch
        {
            _listener.Dispose();
            throw;
        }
    }

    public string SocketPath { get; }

    public void Start()
    {
        _ringLoop = RingLoopAsync();
        _acceptLoop = AcceptLoopAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        File.Delete(SocketPath);
        XenbusConnection[] connections;
        lock (_gate)
        {
            connections = [.. _connections.Values];
        }

        foreach (var connection in connections)
        {
            connection.Close();
        }

        await _ring.DisposeAsync().ConfigureAwait(false);
        await _acceptLoop.ConfigureAwait(false);
        await _ringLoop.ConfigureAwait(false);
        Task[] tasks;
        lock (_gate)
        {
            tasks = [.. _tasks];
        }

        await Task.WhenAll(tasks).ConfigureAwait(false);
        _stop.Dispose();
    }

    private static XsMessage Error(XsMessage request, XsErrorCode code) =>
        new(XsMessageType.Error, request.RequestId, request.TransactionId, XsErrors.Format(code));

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                return;
            }

            var connection = new XenbusConnection(Interlocked.Increment(ref _nextConnection), socket);
            lock (_gate)
            {
                _connections.Add(connection.Id, connection);
                _tasks.RemoveAll(t => t.IsCompleted);
                _tasks.Add(connection.WriteLoopAsync());
                _tasks.Add(ServeAsync(connection));
            }
        }
    }

    private async Task ServeAsync(XenbusConnection connection)
    {
        var framer = connection.CreateFramer();
        try
        {
            while (await framer.ReadAsync(connection.Closed).ConfigureAwait(false) is { } request)
            {
                await ForwardAsync(connection, request).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // XenStoreProtocolException is an IOException: a malformed process loses its connection only.
            if (ex is XenStoreProtocolException)
            {
                LoopbackLog.XenbusClientKilled(_logger, SocketPath, ex.Message);
            }
        }
        finally
        {
            connection.Close();
            await CleanUpAsync(connection).ConfigureAwait(false);
        }
    }

    private async Task ForwardAsync(XenbusConnection connection, XsMessage request)
    {
        var payload = request.Payload;
        lock (_gate)
        {
            // A process may only use transactions it started (xenbus_dev_frontend refuses others).
            if (request.TransactionId != 0 && !connection.Transactions.Contains(request.TransactionId))
            {
                connection.Enqueue(Error(request, XsErrorCode.EINVAL));
                return;
            }
        }

        if (request.Type is XsMessageType.Watch or XsMessageType.Unwatch)
        {
            var parts = XsPayload.Split(payload);
            if (parts.Count < 2)
            {
                connection.Enqueue(Error(request, XsErrorCode.EINVAL));
                return;
            }

            payload = XsPayload.Strings(parts[0], RingToken(connection, parts[1]));
            if (payload.Length > Limits.XenStorePayloadMax)
            {
                // The per-connection prefix pushed a maximal watch over the payload limit.
                connection.Enqueue(Error(request, XsErrorCode.E2BIG));
                return;
            }
        }

        await SendAsync(connection, request, request with { Payload = payload }).ConfigureAwait(false);
    }

    /// <summary>Sends <paramref name="onRing"/> with a fresh request id; the reply goes to <paramref name="connection"/>
    /// (null: nobody, a clean-up request) with <paramref name="original"/>'s request id restored.</summary>
    private async Task SendAsync(XenbusConnection? connection, XsMessage original, XsMessage onRing)
    {
        uint id;
        lock (_gate)
        {
            do
            {
                id = unchecked(++_nextRequestId);
            }
            while (_pending.ContainsKey(id));

            _pending.Add(id, new Pending(connection, original));
        }

        await _ringWrite.WaitAsync(_stop.Token).ConfigureAwait(false);
        try
        {
            await _ring.WriteAsync((onRing with { RequestId = id }).Encode(), _stop.Token).ConfigureAwait(false);
        }
        finally
        {
            _ringWrite.Release();
        }
    }

    private async Task CleanUpAsync(XenbusConnection connection)
    {
        (string Path, string Token)[] watches;
        uint[] transactions;
        lock (_gate)
        {
            _connections.Remove(connection.Id);
            watches = [.. connection.Watches];
            transactions = [.. connection.Transactions];
        }

        try
        {
            foreach (var transaction in transactions)
            {
                var end = new XsMessage(XsMessageType.TransactionEnd, 0, transaction, XsPayload.Strings("F"));
                await SendAsync(null, end, end).ConfigureAwait(false);
            }

            foreach (var (path, token) in watches)
            {
                var unwatch = new XsMessage(XsMessageType.Unwatch, 0, 0, XsPayload.Strings(path, RingToken(connection, token)));
                await SendAsync(null, unwatch, unwatch).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The ring is gone too: nothing left to clean up there.
        }
    }

    private async Task RingLoopAsync()
    {
        var framer = new XenbusMessageFramer(_ring);
        try
        {
            while (await framer.ReadAsync(_stop.Token).ConfigureAwait(false) is { } message)
            {
                Dispatch(message);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
        {
            if (!_stop.IsCancellationRequested)
            {
                LoopbackLog.XenbusRingFailed(_logger, SocketPath, ex.Message);
            }
        }

        // Without the ring nobody can be served: close every process's connection.
        lock (_gate)
        {
            foreach (var connection in _connections.Values)
            {
                connection.Close();
            }
        }
    }

    private void Dispatch(XsMessage message)
    {
        lock (_gate)
        {
            if (message.Type == XsMessageType.WatchEvent)
            {
                DispatchWatchEvent(message);
                return;
            }

            if (!_pending.Remove(message.RequestId, out var pending) || pending.Connection is not { } connection)
            {
                return; // a clean-up request's reply, or a reply xenstored should not have sent
            }

            var request = pending.Request;
            if (message.Type != XsMessageType.Error)
            {
                Track(connection, request, message);
            }

            connection.Enqueue(message with { RequestId = request.RequestId });
        }
    }

    private void DispatchWatchEvent(XsMessage message)
    {
        var parts = XsPayload.Split(message.Payload);
        if (parts.Count < 2)
        {
            return;
        }

        var slash = parts[1].IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0
            || !int.TryParse(parts[1].AsSpan(0, slash), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            || !_connections.TryGetValue(id, out var connection))
        {
            return; // for a process that has gone
        }

        connection.Enqueue(message with { Payload = XsPayload.Strings(parts[0], parts[1][(slash + 1)..]) });
    }

    /// <summary>Records what a successful reply changed for the connection. Caller holds the lock.</summary>
    private static void Track(XenbusConnection connection, XsMessage request, XsMessage reply)
    {
        switch (request.Type)
        {
            case XsMessageType.Watch or XsMessageType.Unwatch:
                var parts = XsPayload.Split(request.Payload);
                if (request.Type == XsMessageType.Watch)
                {
                    connection.Watches.Add((parts[0], parts[1]));
                }
                else
                {
                    connection.Watches.Remove((parts[0], parts[1]));
                }

                break;
            case XsMessageType.TransactionStart:
                var started = XsPayload.Split(reply.Payload);
                if (started.Count > 0 && uint.TryParse(started[0], NumberStyles.None, CultureInfo.InvariantCulture, out var transaction))
                {
                    connection.Transactions.Add(transaction);
                }

                break;
            case XsMessageType.TransactionEnd:
                connection.Transactions.Remove(request.TransactionId);
                break;
            case XsMessageType.ResetWatches:
                connection.Watches.Clear();
                break;
        }
    }

    private static string RingToken(XenbusConnection connection, string token) =>
        string.Create(CultureInfo.InvariantCulture, $"{connection.Id}/{token}");

    private sealed record Pending(XenbusConnection? Connection, XsMessage Request);
}
