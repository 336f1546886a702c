using System.Globalization;
using System.Text;
using GuestAgentKit.Xen;
using GuestAgentKit.XenStore;
using GuestAgentKit.XenStore.Wire;

namespace GuestAgentKit.Loopback.XenStored;

/// <summary>Request handling, mirroring C xenstored's <c>do_*</c> functions (tools/xenstored/core.c, watch.c,
/// domain.c, transaction.c). Every request runs under the server lock, like the single-threaded original.</summary>
public sealed partial class EmbeddedXenStored
{
    private static readonly byte[] Ok = Encoding.ASCII.GetBytes("OK\0");
    private readonly List<(XsServerWatch Watch, string Path)> _afterReply = [];

    /// <summary>What a handler answers: a payload or an error.</summary>
    private readonly record struct Outcome(byte[]? Payload, XsErrorCode Error)
    {
        public static implicit operator Outcome(byte[] payload) => new(payload, XsErrorCode.Unknown);

        public static implicit operator Outcome(XsErrorCode error) => new(null, error);
    }

    internal void Process(XsServerConnection connection, XsMessage request)
    {
        lock (_gate)
        {
            if (connection.IsClosed)
            {
                return;
            }

            var outcome = Handle(connection, request);
            var reply = outcome.Payload is { } payload
                ? new XsMessage(request.Type, request.RequestId, request.TransactionId, payload)
                : new XsMessage(XsMessageType.Error, request.RequestId, request.TransactionId, XsErrors.Format(outcome.Error));
            // Sent under the lock so that a reply and the events it causes leave in order.
            connection.Send(reply, isReply: true);
            foreach (var (watch, path) in _afterReply)
            {
                SendEvent(connection, watch, path);
            }

            _afterReply.Clear();
        }
    }

    private Outcome Handle(XsServerConnection connection, XsMessage request)
    {
        XsServerTransaction? transaction = null;
        if (request.TransactionId != 0 && request.Type is not (XsMessageType.Watch or XsMessageType.Unwatch or XsMessageType.TransactionStart)
            && !connection.Transactions.TryGetValue(request.TransactionId, out transaction))
        {
            return XsErrorCode.ENOENT;
        }

        var tree = transaction?.Tree ?? _tree;
        var context = new RequestContext(connection, tree, transaction);
        return request.Type switch
        {
            XsMessageType.Read => DoRead(context, request.Payload),
            XsMessageType.Write => DoWrite(context, request.Payload),
            XsMessageType.Mkdir => DoMkdir(context, request.Payload),
            XsMessageType.Rm => DoRm(context, request.Payload),
            XsMessageType.Directory => DoDirectory(context, request.Payload),
            XsMessageType.DirectoryPart => DoDirectoryPart(context, request.Payload),
            XsMessageType.GetPerms => DoGetPerms(context, request.Payload),
            XsMessageType.SetPerms => DoSetPerms(context, request.Payload),
            XsMessageType.Watch => DoWatch(connection, request.Payload),
            XsMessageType.Unwatch => DoUnwatch(connection, request.Payload),
            XsMessageType.TransactionStart => DoTransactionStart(connection),
            XsMessageType.TransactionEnd => DoTransactionEnd(connection, transaction, request.Payload),
            XsMessageType.Introduce => DoIntroduce(connection, request.Payload),
            XsMessageType.Release => DoRelease(connection, request.Payload),
            XsMessageType.IsDomainIntroduced => DoIsDomainIntroduced(request.Payload),
            XsMessageType.GetDomainPath => OneDomain(request.Payload, out var domain)
                ? XsPayload.Strings("/local/domain/" + domain)
                : XsErrorCode.EINVAL,
            XsMessageType.ResetWatches => DoResetWatches(connection),
            _ => XsErrorCode.ENOSYS,
        };
    }

    private Outcome DoRead(RequestContext context, byte[] payload)
    {
        if (!OneArg(payload, out var raw) || Canonicalize(context.Connection, raw, false) is not { } path)
        {
            return XsErrorCode.EINVAL;
        }

        var (node, error) = GetNode(context, path, XsAccess.Read);
        return node is null ? error : node.Value;
    }

    private Outcome DoWrite(RequestContext context, byte[] payload)
    {
        var nul = Array.IndexOf(payload, (byte)0);
        if (nul < 0 || Canonicalize(context.Connection, Encoding.UTF8.GetString(payload, 0, nul), false) is not { } path)
        {
            return XsErrorCode.EINVAL;
        }

        var value = payload[(nul + 1)..];
        if (!context.Connection.Privileged && value.Length > Limits.XenStoredNodeSize)
        {
            return XsErrorCode.ENOSPC;
        }

        var (node, error) = GetNode(context, path, XsAccess.Write);
        if (node is not null)
        {
            context.Tree.Put(path, node with { Value = value });
        }
        else if (error != XsErrorCode.ENOENT)
        {
            return error;
        }
        else if (Create(context, path, value) is { } createError)
        {
            return createError;
        }

        Fire(context.Transaction, path, subtree: true, oldPermissions: null);
        return Ok;
    }

    private Outcome DoMkdir(RequestContext context, byte[] payload)
    {
        if (!OneArg(payload, out var raw) || Canonicalize(context.Connection, raw, false) is not { } path)
        {
            return XsErrorCode.EINVAL;
        }

        var (node, error) = GetNode(context, path, XsAccess.Write);
        if (node is null)
        {
            if (error != XsErrorCode.ENOENT)
            {
                return error;
            }

            if (Create(context, path, []) is { } createError)
            {
                return createError;
            }

            Fire(context.Transaction, path, subtree: true, oldPermissions: null);
        }

        return Ok;
    }

    private Outcome DoRm(RequestContext context, byte[] payload)
    {
        if (!OneArg(payload, out var raw) || Canonicalize(context.Connection, raw, false) is not { } path)
        {
            return XsErrorCode.EINVAL;
        }

        var (node, error) = GetNode(context, path, XsAccess.Write);
        if (node is null)
        {
            // Already gone is fine as long as the parent exists (do_rm).
            return error == XsErrorCode.ENOENT && context.Tree.Get(ParentOf(path)) is not null ? Ok : error;
        }

        if (path == "/")
        {
            return XsErrorCode.EINVAL;
        }

        RemoveSubtree(context.Tree, context.Transaction, path);
        return Ok;
    }

    /// <summary><c>_rm</c>: removes an existing node (not <c>/</c>) and everything below it, firing watches.</summary>
    private void RemoveSubtree(XsTree tree, XsServerTransaction? transaction, string path)
    {
        // Fire while the nodes still exist, so permission checks see them (delnode_sub).
        var doomed = new List<string>();
        Collect(tree, path, doomed);
        foreach (var name in doomed)
        {
            Fire(transaction, name, subtree: name == path, oldPermissions: null);
        }

        foreach (var name in doomed)
        {
            tree.Remove(name);
        }

        var parentPath = ParentOf(path);
        var parent = tree.Get(parentPath)!;
        tree.Put(parentPath, parent with { Children = parent.Children.Where(c => c != BaseName(path)).ToList() });
    }

    private Outcome DoDirectory(RequestContext context, byte[] payload)
    {
        if (!OneArg(payload, out var raw) || Canonicalize(context.Connection, raw, false) is not { } path)
        {
            return XsErrorCode.EINVAL;
        }

        var (node, error) = GetNode(context, path, XsAccess.Read);
        if (node is null)
        {
            return error;
        }

        var reply = XsPayload.Strings([.. node.Children]);
        return reply.Length > Limits.XenStorePayloadMax ? XsErrorCode.E2BIG : reply;
    }

    private Outcome DoDirectoryPart(RequestContext context, byte[] payload)
    {
        var args = XsPayload.Split(payload);
        if (args.Count != 2 || payload[^1] != 0 || Canonicalize(context.Connection, args[0], false) is not { } path
            || !int.TryParse(args[1], NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
        {
            return XsErrorCode.EINVAL;
        }

        var (node, error) = GetNode(context, path, XsAccess.Read);
        if (node is null)
        {
            return error;
        }

        // send_directory_part: "<generation>\0" then whole names from the byte offset; an extra NUL marks the end.
        var children = XsPayload.Strings([.. node.Children]);
        var generation = Encoding.ASCII.GetBytes(node.Generation.ToString(CultureInfo.InvariantCulture) + "\0");
        var max = Limits.XenStorePayloadMax - generation.Length - 1;
        var length = 0;
        if (offset < children.Length)
        {
            while (offset + length < children.Length)
            {
                var nameLength = Array.IndexOf(children, (byte)0, offset + length) - (offset + length) + 1;
                if (length + nameLength > max)
                {
                    break;
                }

                length += nameLength;
            }
        }

        var complete = offset >= children.Length || offset + length == children.Length;
        var reply = new byte[generation.Length + length + (complete ? 1 : 0)];
        generation.CopyTo(reply, 0);
        if (length > 0)
        {
            children.AsSpan(offset, length).CopyTo(reply.AsSpan(generation.Length));
        }

        return reply;
    }

    private Outcome DoGetPerms(RequestContext context, byte[] payload)
    {
        if (!OneArg(payload, out var raw) || Canonicalize(context.Connection, raw, true) is not { } path)
        {
            return XsErrorCode.EINVAL;
        }

        var (node, error) = GetNode(context, path, XsAccess.Read);
        return node is null ? error : XsPayload.Strings([.. node.Permissions.Select(p => p.ToString())]);
    }

    private Outcome DoSetPerms(RequestContext context, byte[] payload)
    {
        var args = XsPayload.Split(payload);
        if (args.Count < 2 || payload[^1] != 0)
        {
            return XsErrorCode.EINVAL;
        }

        var connection = context.Connection;
        if (!connection.Privileged && args.Count - 1 > Limits.XenStoredPermsPerNode)
        {
            return XsErrorCode.ENOSPC;
        }

        var permissions = new XsPermission[args.Count - 1];
        for (var i = 0; i < permissions.Length; i++)
        {
            if (!XsPermission.TryParse(args[i + 1], out permissions[i]))
            {
                return XsErrorCode.EINVAL;
            }
        }

        if (Canonicalize(connection, args[0], true) is not { } path)
        {
            return XsErrorCode.EINVAL;
        }

        // "We must own node to do this (tools can do this too)."
        var (node, error) = GetNode(context, path, XsAccess.Write);
        if (node is null)
        {
            return error;
        }

        if (!connection.Privileged && node.Permissions[0].Domain != connection.Domain)
        {
            return XsErrorCode.EACCES;
        }

        if (!connection.Privileged && permissions[0].Domain != node.Permissions[0].Domain)
        {
            return XsErrorCode.EPERM;
        }

        foreach (var permission in permissions)
        {
            _domains.Reference(permission.Domain); // domain_alloc_permrefs: before the node's new generation
        }

        context.Tree.Put(path, node with { Permissions = permissions });
        Fire(context.Transaction, path, subtree: true, oldPermissions: node.Permissions);
        return Ok;
    }

    private Outcome DoWatch(XsServerConnection connection, byte[] payload)
    {
        var args = XsPayload.Split(payload);
        if (args.Count != 2 || payload[^1] != 0 || Canonicalize(connection, args[0], true) is not { } path)
        {
            return XsErrorCode.EINVAL;
        }

        var token = args[1];
        if (connection.Watches.Any(w => w.Path == path && w.Token == token))
        {
            return XsErrorCode.EEXIST;
        }

        if (!connection.Privileged && connection.Watches.Count >= Limits.XenStoredWatchesPerDomain)
        {
            return XsErrorCode.ENOSPC;
        }

        var relative = args[0][0] is not ('/' or '@');
        var watch = new XsServerWatch(path, token, relative ? connection.HomePath.Length + 1 : 0);
        _watches.Add(connection, watch);
        // The initial event follows the reply (do_watch: "We fire once up front").
        _afterReply.Add((watch, path));
        return Ok;
    }

    private Outcome DoUnwatch(XsServerConnection connection, byte[] payload)
    {
        var args = XsPayload.Split(payload);
        if (args.Count != 2 || payload[^1] != 0 || Canonicalize(connection, args[0], true) is not { } path)
        {
            return XsErrorCode.EINVAL;
        }

        var index = connection.Watches.FindIndex(w => w.Path == path && w.Token == args[1]);
        if (index < 0)
        {
            return XsErrorCode.ENOENT;
        }

        _watches.RemoveAt(connection, index);
        return Ok;
    }

    private Outcome DoTransactionStart(XsServerConnection connection)
    {
        if (!connection.Privileged && connection.Transactions.Count >= Limits.XenStoredTransactionsPerDomain)
        {
            return XsErrorCode.ENOSPC;
        }

        do
        {
            _nextTransaction++;
        }
        while (_nextTransaction == 0);

        var transaction = new XsServerTransaction(_nextTransaction, _tree.CloneForTransaction());
        connection.Transactions.Add(transaction.Id, transaction);
        return XsPayload.Strings(transaction.Id.ToString(CultureInfo.InvariantCulture));
    }

    private Outcome DoTransactionEnd(XsServerConnection connection, XsServerTransaction? transaction, byte[] payload)
    {
        if (transaction is null)
        {
            return XsErrorCode.ENOENT;
        }

        if (!OneArg(payload, out var arg) || arg is not ("T" or "F"))
        {
            return XsErrorCode.EINVAL;
        }

        connection.Transactions.Remove(transaction.Id);
        if (arg == "F")
        {
            return Ok;
        }

        if (!transaction.Tree.CanCommitTo(_tree))
        {
            return XsErrorCode.EAGAIN;
        }

        transaction.Tree.CommitTo(_tree);
        foreach (var (path, subtree, permissions) in transaction.QueuedFires)
        {
            Fire(null, path, subtree, permissions);
        }

        return Ok;
    }

    private Outcome DoIntroduce(XsServerConnection connection, byte[] payload)
    {
        if (!connection.Privileged)
        {
            return XsErrorCode.EACCES;
        }

        var args = XsPayload.Split(payload);
        if (args.Count < 3 || !DomainId.TryParse(args[0], out var domain)
            || !ulong.TryParse(args[1], NumberStyles.None, CultureInfo.InvariantCulture, out var mfn)
            || !uint.TryParse(args[2], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port == 0)
        {
            return XsErrorCode.EINVAL;
        }

        if (_introduced.Contains(domain))
        {
            return Ok;
        }

        if (_domainConnector is not null)
        {
            Stream stream;
            try
            {
                stream = _domainConnector(domain, mfn, new EventChannelPort(port));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
            {
                XenStoredLog.ConnectorFailed(_logger, domain.ToString(), ex.Message);
                return XsErrorCode.EIO;
            }

            Serve(stream, domain, privileged: false);
        }

        Introduce(domain);
        return Ok;
    }

    private Outcome DoRelease(XsServerConnection connection, byte[] payload)
    {
        if (!connection.Privileged)
        {
            return XsErrorCode.EACCES;
        }

        return !OneDomain(payload, out var domain) ? XsErrorCode.EINVAL
            : ReleaseDomain(domain) ? Ok
            : XsErrorCode.ENOENT;
    }

    private Outcome DoIsDomainIntroduced(byte[] payload)
    {
        const ushort DomidSelf = 0x7FF0; // DOMID_SELF, xen.h
        if (OneArg(payload, out var raw) && raw == DomidSelf.ToString(CultureInfo.InvariantCulture))
        {
            return XsPayload.Strings("T");
        }

        return OneDomain(payload, out var domain) ? XsPayload.Strings(_introduced.Contains(domain) ? "T" : "F") : XsErrorCode.EINVAL;
    }

    private Outcome DoResetWatches(XsServerConnection connection)
    {
        _watches.Clear(connection);
        connection.Transactions.Clear();
        return Ok;
    }
}
