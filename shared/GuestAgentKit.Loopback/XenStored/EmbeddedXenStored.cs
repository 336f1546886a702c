using System.Globalization;
using System.Net.Sockets;
using GuestAgentKit.Xen;
using GuestAgentKit.XenStore;
using GuestAgentKit.XenStore.Wire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GuestAgentKit.Loopback.XenStored;

/// <summary>The loopback's xenstored: the real wire protocol with C xenstored semantics (permissions, relative
/// paths for domains, watches, transactions, quotas). Dom0 clients connect to a Unix socket and are privileged;
/// domain connections come from <see cref="AttachConnection"/> or from INTRODUCE through the domain connector.
/// A misbehaving connection is closed alone; nothing a peer sends escapes the server.</summary>
public sealed partial class EmbeddedXenStored : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly DomainGenerations _domains = new();
    private readonly XsTree _tree;
    private readonly List<XsServerConnection> _connections = [];
    private readonly XsWatchIndex _watches = new();
    private readonly List<XsServerConnection> _fireTargets = [];
    private readonly HashSet<DomainId> _introduced = [];
    private readonly ILogger _logger;
    private readonly Func<DomainId, ulong, EventChannelPort, Stream>? _domainConnector;
    private readonly CancellationTokenSource _stopping = new();
    private Socket? _listener;
    private Task _acceptLoop = Task.CompletedTask;
    private uint _nextTransaction;
    private int _nextConnection;

    /// <summary>Creates a server with the tree C xenstored starts with (<c>/</c>, <c>/tool</c>,
    /// <c>/tool/xenstored</c>, the special nodes, all owned by dom0 with no access for others).</summary>
    /// <param name="options">Logger and domain connector.</param>
    public EmbeddedXenStored(EmbeddedXenStoredOptions? options = null)
    {
        _logger = options?.Logger ?? NullLogger.Instance;
        _domainConnector = options?.DomainConnector;
        _tree = new XsTree(_domains);
        XsPermission[] dom0Only = [new XsPermission(XsAccess.None, DomainId.Dom0)];
        _tree.Put("/", new XsNode([], dom0Only, ["tool"], 0));
        _tree.Put("/tool", new XsNode([], dom0Only, ["xenstored"], 0));
        _tree.Put("/tool/xenstored", new XsNode([], dom0Only, [], 0));
        _tree.Put(XsPath.IntroduceDomain, new XsNode([], dom0Only, [], 0));
        _tree.Put(XsPath.ReleaseDomain, new XsNode([], dom0Only, [], 0));
        _introduced.Add(DomainId.Dom0);
    }

    /// <summary>The Unix socket path the server listens on, once started.</summary>
    public string? SocketPath { get; private set; }

    /// <summary>Listens for privileged dom0 connections on a Unix socket (the loopback uses
    /// <c>&lt;root&gt;/xenstored/socket</c>). A stale socket file at the path is replaced.</summary>
    /// <param name="socketPath">The socket path.</param>
    /// <param name="cancellationToken">Cancels starting.</param>
    /// <returns>A task completing when listening.</returns>
    public Task StartAsync(string socketPath, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(socketPath);
        cancellationToken.ThrowIfCancellationRequested();
        if (_listener is not null)
        {
            throw new InvalidOperationException($"Already listening on {SocketPath}.");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(socketPath))!);
        if (File.Exists(socketPath))
        {
            File.Delete(socketPath);
        }

        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        listener.Listen(64);
        _listener = listener;
        SocketPath = socketPath;
        _acceptLoop = Task.Run(() => AcceptLoopAsync(listener));
        return Task.CompletedTask;
    }

    /// <summary>Serves a domain's connection over any duplex stream (e.g. one end of a socket pair, or the
    /// domain's ring). The domain counts as introduced; <c>@introduceDomain</c> fires if it was not yet.</summary>
    /// <param name="stream">The stream; the server owns it.</param>
    /// <param name="domain">The domain the connection speaks for (unprivileged unless dom0).</param>
    public void AttachConnection(Stream stream, DomainId domain)
    {
        ArgumentNullException.ThrowIfNull(stream);
        lock (_gate)
        {
            Introduce(domain);
        }

        Serve(stream, domain, privileged: domain == DomainId.Dom0);
    }

    /// <summary>Tells the server a domain is gone (destroyed): its connections close, <c>@releaseDomain</c> fires.</summary>
    /// <param name="domain">The domain.</param>
    public void NotifyDomainGone(DomainId domain)
    {
        lock (_gate)
        {
            ReleaseDomain(domain);
        }
    }

    /// <summary>Stops listening and closes every connection.</summary>
    /// <returns>A task completing when all connections ended.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener?.Dispose();
        if (SocketPath is not null)
        {
            File.Delete(SocketPath);
        }

        XsServerConnection[] connections;
        lock (_gate)
        {
            connections = [.. _connections];
        }

        foreach (var connection in connections)
        {
            connection.Kill(null);
        }

        await _acceptLoop.ConfigureAwait(false);
        await Task.WhenAll(connections.Select(c => c.Completion)).ConfigureAwait(false);
    }

    internal void OnConnectionClosed(XsServerConnection connection, string? reason)
    {
        lock (_gate)
        {
            _connections.Remove(connection);
            _watches.Clear(connection);
            connection.Transactions.Clear();
        }

        if (reason is null)
        {
            XenStoredLog.ConnectionClosed(_logger, connection.Name);
        }
        else
        {
            XenStoredLog.ConnectionKilled(_logger, connection.Name, reason);
        }
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                return;
            }

            Serve(new NetworkStream(client, ownsSocket: true), DomainId.Dom0, privileged: true);
        }
    }

    private void Serve(Stream stream, DomainId domain, bool privileged)
    {
        var name = string.Create(CultureInfo.InvariantCulture, $"#{Interlocked.Increment(ref _nextConnection)} (domain {domain})");
        var connection = new XsServerConnection(this, stream, domain, privileged, name);
        lock (_gate)
        {
            if (_stopping.IsCancellationRequested)
            {
                stream.Dispose();
                return;
            }

            _connections.Add(connection);
        }

        connection.Start();
    }

    /// <summary>Marks a domain introduced and fires <c>@introduceDomain</c>. Caller holds the lock.</summary>
    private void Introduce(DomainId domain)
    {
        _domains.Reference(domain);
        if (_introduced.Add(domain))
        {
            FireSpecial(XsPath.IntroduceDomain);
        }
    }

    /// <summary>Forgets a domain (entries naming it are ignored from now on, XSA-322), closes its connections (their
    /// watches and transactions go with them), deletes the nodes it owns as C xenstored 4.17 does by default
    /// (<c>domain_tree_remove</c>, XSA-419; only <c>--keep-orphans</c> would hand them to dom0), and fires
    /// <c>@releaseDomain</c>. Caller holds the lock.</summary>
    private bool ReleaseDomain(DomainId domain)
    {
        if (domain == DomainId.Dom0 || !_introduced.Remove(domain))
        {
            return false;
        }

        _domains.Forget(domain);
        foreach (var connection in _connections.Where(c => c.Domain == domain && !c.Privileged).ToList())
        {
            _watches.Clear(connection);
            connection.Kill(null);
        }

        foreach (var path in _tree.PathsOwnedBy(domain))
        {
            // Shallowest first: a deeper orphan may already have gone with its parent.
            if (path[0] == '/' && path != "/" && _tree.Get(path) is not null)
            {
                RemoveSubtree(_tree, transaction: null, path);
            }
        }

        FireSpecial(XsPath.ReleaseDomain);
        return true;
    }
}
