using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using GuestAgentKit.Posix;
using GuestAgentKit.Xen;
using GuestAgentKit.XenStore.Wire;

namespace GuestAgentKit.XenStore;

/// <summary>A xenstore client over one duplex stream: a Unix socket to xenstored in dom0, the xenbus device
/// in a guest, or any stream carrying the wire protocol. Many requests may be in flight; replies are matched
/// by req_id, watch events delivered to their <see cref="XsWatch"/>.</summary>
public sealed partial class XenStoreClient : XenStoreOperations, IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, XsWatch> _watches = new(StringComparer.Ordinal);
    private readonly XenStoreClientOptions _options;
    private readonly CancellationTokenSource _disposing = new();
    private Task<XsConnection> _connection;
    private int _nextToken;

    private XenStoreClient(Stream stream, XenStoreClientOptions? options)
    {
        _options = options ?? new XenStoreClientOptions();
        _connection = Task.FromResult(Attach(stream));
    }

    /// <summary>Connects to xenstored, trying the endpoint's paths in order.</summary>
    /// <param name="endpoint">Where xenstored is, e.g. <see cref="XenStoreEndpoint.Dom0Default()"/>.</param>
    /// <param name="cancellationToken">Cancels connecting.</param>
    /// <returns>The connected client.</returns>
    /// <exception cref="IOException">No path could be opened; the message lists each path's error.</exception>
    public static Task<XenStoreClient> ConnectAsync(XenStoreEndpoint endpoint, CancellationToken cancellationToken = default) =>
        ConnectAsync(endpoint, null, cancellationToken);

    /// <summary>Connects to xenstored with options (e.g. reconnecting).</summary>
    /// <param name="endpoint">Where xenstored is.</param>
    /// <param name="options">Client options.</param>
    /// <param name="cancellationToken">Cancels connecting.</param>
    /// <returns>The connected client.</returns>
    public static async Task<XenStoreClient> ConnectAsync(XenStoreEndpoint endpoint, XenStoreClientOptions? options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var stream = await OpenAsync(endpoint, cancellationToken).ConfigureAwait(false);
        return new XenStoreClient(stream, options);
    }

    /// <summary>A client over an already open duplex stream; the client owns and disposes it.</summary>
    /// <param name="duplexStream">A stream carrying the xenstore wire protocol in both directions.</param>
    /// <param name="options">Client options.</param>
    /// <returns>The client.</returns>
    public static XenStoreClient Create(Stream duplexStream, XenStoreClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(duplexStream);
        return new XenStoreClient(duplexStream, options);
    }

    /// <summary>Asks for a domain's home path (<c>/local/domain/&lt;id&gt;</c>).</summary>
    /// <param name="domain">The domain.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The path.</returns>
    public async Task<string> GetDomainPathAsync(DomainId domain, CancellationToken cancellationToken = default)
    {
        var reply = await SendAsync(XsMessageType.GetDomainPath, XsPayload.Strings(domain.ToString()), domain.ToString(), cancellationToken).ConfigureAwait(false);
        return FirstString(reply);
    }

    /// <summary>Introduces a domain's xenstore ring to xenstored (privileged).</summary>
    /// <param name="domain">The domain.</param>
    /// <param name="mfn">The ring page's frame number.</param>
    /// <param name="port">The domain's xenstore event channel port.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task completing when acknowledged.</returns>
    public Task IntroduceAsync(DomainId domain, ulong mfn, EventChannelPort port, CancellationToken cancellationToken = default) =>
        SendAsync(
            XsMessageType.Introduce,
            XsPayload.Strings(domain.ToString(), mfn.ToString(CultureInfo.InvariantCulture), port.ToString()),
            domain.ToString(),
            cancellationToken);

    /// <summary>Releases a domain: xenstored drops its connection and fires <c>@releaseDomain</c> (privileged).</summary>
    /// <param name="domain">The domain.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task completing when acknowledged.</returns>
    public Task ReleaseAsync(DomainId domain, CancellationToken cancellationToken = default) =>
        SendAsync(XsMessageType.Release, XsPayload.Strings(domain.ToString()), domain.ToString(), cancellationToken);

    /// <summary>Asks whether a domain is introduced.</summary>
    /// <param name="domain">The domain.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>True for "T".</returns>
    public async Task<bool> IsDomainIntroducedAsync(DomainId domain, CancellationToken cancellationToken = default)
    {
        var reply = await SendAsync(XsMessageType.IsDomainIntroduced, XsPayload.Strings(domain.ToString()), domain.ToString(), cancellationToken).ConfigureAwait(false);
        return FirstString(reply) == "T";
    }

    /// <summary>Drops every watch and transaction of this connection in xenstored; local
    /// <see cref="XsWatch"/> enumerations end.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task completing when acknowledged.</returns>
    public async Task ResetWatchesAsync(CancellationToken cancellationToken = default)
    {
        await SendAsync(XsMessageType.ResetWatches, XsPayload.Strings(""), null, cancellationToken).ConfigureAwait(false);
        foreach (var watch in _watches.Values)
        {
            ForgetWatch(watch);
            watch.End(null);
        }
    }

    /// <summary>Registers a watch on a path (or <c>@introduceDomain</c> / <c>@releaseDomain</c>). It fires once at once.</summary>
    /// <param name="path">The path; events cover it and everything below it.</param>
    /// <param name="token">The token, unique within this client; null picks one.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The watch; enumerate it for events, dispose it to unwatch.</returns>
    /// <exception cref="ArgumentException">Invalid path or a token already in use on this client.</exception>
    public async Task<XsWatch> WatchAsync(string path, string? token = null, CancellationToken cancellationToken = default)
    {
        XsPath.Validate(path, allowSpecial: true);
        token ??= "gak" + Interlocked.Increment(ref _nextToken).ToString(CultureInfo.InvariantCulture);
        if (token.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("A watch token cannot contain NUL.", nameof(token));
        }

        var watch = new XsWatch(this, path, token);
        // Registered before WATCH is sent: the initial event may overtake the reply.
        if (!_watches.TryAdd(token, watch))
        {
            throw new ArgumentException($"Watch token \"{token}\" is already in use on this client.", nameof(token));
        }

        try
        {
            await SendAsync(XsMessageType.Watch, XsPayload.Strings(path, token), path, cancellationToken).ConfigureAwait(false);
            return watch;
        }
        catch
        {
            ForgetWatch(watch);
            throw;
        }
    }

    /// <summary>Starts a transaction.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The transaction; commit it or dispose it (abort).</returns>
    public async Task<XsTransaction> StartTransactionAsync(CancellationToken cancellationToken = default)
    {
        var reply = await SendAsync(XsMessageType.TransactionStart, XsPayload.Strings(""), null, cancellationToken).ConfigureAwait(false);
        return uint.TryParse(FirstString(reply), NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id != 0
            ? new XsTransaction(this, id)
            : throw new XenStoreException(XsErrorCode.EINVAL, XsMessageType.TransactionStart, null);
    }

    /// <summary>Runs <paramref name="body"/> in a transaction and commits it, running it again from the start
    /// on a conflict (EAGAIN), at most <paramref name="maxAttempts"/> times.</summary>
    /// <typeparam name="T">The body's result.</typeparam>
    /// <param name="body">Reads and writes through the transaction it is given; must be safe to repeat.</param>
    /// <param name="maxAttempts">Attempts before giving up.</param>
    /// <param name="cancellationToken">Passed to the body and every request.</param>
    /// <returns>The result of the attempt that committed.</returns>
    /// <exception cref="XenStoreException">EAGAIN after <paramref name="maxAttempts"/> conflicts, or any other error.</exception>
    public async Task<T> TransactAsync<T>(
        Func<XsTransaction, CancellationToken, Task<T>> body,
        int maxAttempts = Limits.XenStoreTransactMaxAttempts,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAttempts, 1);
        for (var attempt = 0; attempt < maxAttempts; attempt++)
        {
            var transaction = await StartTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                T result;
                try
                {
                    result = await body(transaction, cancellationToken).ConfigureAwait(false);
                }
                catch (XenStoreException ex) when (ex.Error == XsErrorCode.EAGAIN)
                {
                    continue;
                }

                if (await transaction.CommitAsync(cancellationToken).ConfigureAwait(false))
                {
                    return result;
                }
            }
        }

        throw new XenStoreException(XsErrorCode.EAGAIN, XsMessageType.TransactionEnd, $"(gave up after {maxAttempts} attempts)");
    }

    /// <summary>Closes the connection; pending requests fail with <see cref="XenStoreConnectionClosedException"/>.</summary>
    /// <returns>A task completing when closed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_disposing.IsCancellationRequested)
        {
            return;
        }

        await _disposing.CancelAsync().ConfigureAwait(false);
        if (_connection.IsCompletedSuccessfully)
        {
            await _connection.Result.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var watch in _watches.Values)
        {
            watch.End(null);
        }
    }

    private protected override Task<XsMessage> RequestAsync(XsMessageType type, byte[] payload, CancellationToken cancellationToken) =>
        RequestAsync(type, 0, payload, cancellationToken);

    internal async Task<XsMessage> RequestAsync(XsMessageType type, uint transactionId, byte[] payload, CancellationToken cancellationToken)
    {
        var connection = await Volatile.Read(ref _connection).WaitAsync(cancellationToken).ConfigureAwait(false);
        return await connection.RequestAsync(type, transactionId, payload, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Best-effort cleanup request (UNWATCH, abort): sent only on a live connection, never waiting for a
    /// reconnection, errors ignored — what it would undo is gone with the connection anyway.</summary>
    internal async Task SendCleanupAsync(XsMessageType type, uint transactionId, byte[] payload)
    {
        var current = Volatile.Read(ref _connection);
        if (!current.IsCompletedSuccessfully || _disposing.IsCancellationRequested)
        {
            return;
        }

        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(_disposing.Token);
        bounded.CancelAfter(Limits.XenStoreCleanupTimeout);
        try
        {
            await current.Result.RequestAsync(type, transactionId, payload, bounded.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            // The connection went away meanwhile, or the daemon never answered (Limits.XenStoreCleanupTimeout).
        }
    }

    internal void ForgetWatch(XsWatch watch) => _watches.TryRemove(new KeyValuePair<string, XsWatch>(watch.Token, watch));

    private XsConnection Attach(Stream stream)
    {
        // A file is the xenbus device (what OpenAsync falls back to): Linux's driver takes each write as one
        // whole message and drops what follows it. Sockets and rings are byte streams: requests go out together.
        var connection = new XsConnection(stream, oneMessagePerWrite: stream is FileStream, OnWatchEvent);
        _ = connection.Closed.ContinueWith(
            closed => OnClosed(closed.Result), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return connection;
    }

    private void OnWatchEvent(XsMessage message)
    {
        var parts = XsPayload.Split(message.Payload);
        if (parts.Count >= 2 && _watches.TryGetValue(parts[1], out var watch))
        {
            watch.Post(new XsWatchEvent(parts[0], parts[1]));
        }
    }

    private void OnClosed(Exception reason)
    {
        if (_disposing.IsCancellationRequested)
        {
            return;
        }

        if (_options.Reconnect is { } endpoint)
        {
            var reconnected = new TaskCompletionSource<XsConnection>(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _connection, reconnected.Task);
            _ = ReconnectAsync(endpoint, reconnected);
            return;
        }

        foreach (var watch in _watches.Values)
        {
            watch.End(reason);
        }
    }

    private async Task ReconnectAsync(XenStoreEndpoint endpoint, TaskCompletionSource<XsConnection> reconnected)
    {
        var cancellationToken = _disposing.Token;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Limits.XenStoreReconnectDelay, cancellationToken).ConfigureAwait(false);
                var connection = Attach(await OpenAsync(endpoint, cancellationToken).ConfigureAwait(false));
                foreach (var watch in _watches.Values)
                {
                    await connection.RequestAsync(XsMessageType.Watch, 0, XsPayload.Strings(watch.Path, watch.Token), cancellationToken).ConfigureAwait(false);
                }

                reconnected.TrySetResult(connection);
                return;
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (IOException)
            {
                // xenstored not back yet: try again after the delay.
            }
        }

        reconnected.TrySetException(new XenStoreConnectionClosedException("The xenstore client was disposed while reconnecting."));
    }

    private static async Task<Stream> OpenAsync(XenStoreEndpoint endpoint, CancellationToken cancellationToken)
    {
        var errors = new StringBuilder();
        foreach (var path in endpoint.Candidates)
        {
            try
            {
                return new NetworkStream(await UnixSocket.ConnectAsync(path, cancellationToken).ConfigureAwait(false), ownsSocket: true);
            }
            catch (SocketException socketError)
            {
                // Not a socket (or nobody listening): a xenbus character device is opened as a file; bufferSize 0
                // so that every message reaches the device in exactly one write.
                try
                {
                    return new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, bufferSize: 0);
                }
                catch (Exception fileError) when (fileError is IOException or UnauthorizedAccessException)
                {
                    errors.Append(CultureInfo.InvariantCulture, $" {path}: {socketError.Message} / {fileError.Message};");
                }
            }
        }

        throw new IOException($"Could not connect to xenstore at{errors}");
    }

    private static string FirstString(byte[] reply)
    {
        var nul = Array.IndexOf(reply, (byte)0);
        return Encoding.UTF8.GetString(reply, 0, nul < 0 ? reply.Length : nul);
    }
}
