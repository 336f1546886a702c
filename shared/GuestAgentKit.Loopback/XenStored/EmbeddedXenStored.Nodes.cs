using System.Text;
using GuestAgentKit.Xen;
using GuestAgentKit.XenStore;
using GuestAgentKit.XenStore.Wire;

namespace GuestAgentKit.Loopback.XenStored;

/// <summary>Paths, permissions, node creation and watch firing, as C xenstored does them.</summary>
public sealed partial class EmbeddedXenStored
{
    /// <summary><c>perm_for_conn</c>: privileged connections and the owner get everything; else the entry for the
    /// connection's domain, else the first entry's access (the default).</summary>
    private static XsAccess AccessFor(XsServerConnection connection, XsPermission[] permissions)
    {
        if (connection.Privileged || permissions[0].Domain == connection.Domain)
        {
            return XsAccess.Both;
        }

        for (var i = 1; i < permissions.Length; i++)
        {
            if (permissions[i].Domain == connection.Domain)
            {
                return permissions[i].Access;
            }
        }

        return permissions[0].Access;
    }

    private static bool Allows(XsAccess granted, XsAccess needed) =>
        needed == XsAccess.Read ? granted is XsAccess.Read or XsAccess.Both : granted is XsAccess.Write or XsAccess.Both;

    /// <summary><c>get_node</c> + <c>errno_from_parents</c>: an inaccessible node is EACCES; a missing one is ENOENT
    /// only if the nearest existing ancestor grants the same access, otherwise EACCES (no existence leak).</summary>
    private static (XsNode? Node, XsErrorCode Error) GetNode(RequestContext context, string path, XsAccess needed)
    {
        var node = context.Tree.Get(path);
        if (node is not null)
        {
            return Allows(AccessFor(context.Connection, node.Permissions), needed) ? (node, default) : (null, XsErrorCode.EACCES);
        }

        var ancestor = NearestAncestor(context.Tree, path);
        return ancestor is not null && Allows(AccessFor(context.Connection, ancestor.Permissions), needed)
            ? (null, XsErrorCode.ENOENT)
            : (null, XsErrorCode.EACCES);
    }

    private static XsNode? NearestAncestor(XsTree tree, string path)
    {
        while (path is not ("/" or "") && path[0] == '/')
        {
            path = ParentOf(path);
            if (tree.Get(path) is { } node)
            {
                return node;
            }
        }

        return null;
    }

    /// <summary><c>construct_node</c>: creates the missing ancestors and the node; each copies its parent's
    /// permissions, and an unprivileged creator becomes the owner (entry 0's domain). Checks the node quota.</summary>
    private static XsErrorCode? Create(RequestContext context, string path, byte[] value)
    {
        var missing = new List<string>();
        var existing = path;
        XsNode? parent = null;
        while (parent is null)
        {
            missing.Add(existing);
            existing = ParentOf(existing);
            parent = context.Tree.Get(existing);
        }

        var connection = context.Connection;
        if (!connection.Privileged && context.Tree.OwnedBy(connection.Domain) + missing.Count > Limits.XenStoredNodesPerDomain)
        {
            return XsErrorCode.ENOSPC;
        }

        for (var i = missing.Count - 1; i >= 0; i--)
        {
            var name = missing[i];
            context.Tree.Put(existing, parent with { Children = [.. parent.Children, BaseName(name)] });
            var permissions = (XsPermission[])parent.Permissions.Clone();
            if (!connection.Privileged)
            {
                permissions[0] = permissions[0] with { Domain = connection.Domain };
            }

            parent = new XsNode(i == 0 ? value : [], permissions, [], 0);
            context.Tree.Put(name, parent);
            existing = name;
        }

        return null;
    }

    /// <summary><c>canonicalize</c>: valid characters, relative paths under the domain's home, no <c>//</c> or
    /// trailing <c>/</c>, and the length limits. Null means EINVAL.</summary>
    private static string? Canonicalize(XsServerConnection connection, string raw, bool allowSpecial)
    {
        if (!XsPath.IsValid(raw, allowSpecial, out _))
        {
            return null;
        }

        var path = raw[0] is '/' or '@' ? raw : connection.HomePath + "/" + raw;
        if (path.Length > Limits.XenStoreAbsolutePathMax)
        {
            return null;
        }

        // The path-length quota counts what follows "/local/domain/<id>/".
        var local = LocalOffset(path);
        return !connection.Privileged && path.Length - local > Limits.XenStoredPathLength ? null : path;
    }

    private static int LocalOffset(string path)
    {
        const string Prefix = "/local/domain/";
        if (!path.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return 0;
        }

        var slash = path.IndexOf('/', Prefix.Length);
        return slash < 0 ? 0 : slash + 1;
    }

    /// <summary><c>fire_watches</c>: in a transaction the firing waits for commit; otherwise every connection
    /// allowed to read the node (or its old permissions, or its parent) gets an event for each matching watch.</summary>
    private void Fire(XsServerTransaction? transaction, string path, bool subtree, XsPermission[]? oldPermissions)
    {
        if (transaction is not null)
        {
            transaction.QueueFire(path, subtree, oldPermissions ?? transaction.Tree.Get(path)?.Permissions);
            return;
        }

        var node = _tree.Get(path);
        _watches.Watchers(path, subtree, _fireTargets);
        foreach (var connection in _fireTargets)
        {
            // Permissions only for a connection whose watch matches: with a thousand loopback guests connected,
            // checking each one's permission on every changed node was most of a write's cost.
            bool? permitted = null;
            foreach (var watch in connection.Watches)
            {
                if ((subtree ? IsAtOrBelow(path, watch.Path) : path == watch.Path)
                    && (permitted ??= WatchPermitted(connection, path, node, oldPermissions)))
                {
                    SendEvent(connection, watch, path);
                    if (connection.IsClosed)
                    {
                        break; // cut off for letting events pile up: its watches are gone
                    }
                }
            }
        }
    }

    /// <summary>Fires a special watch (<c>fire_special_watches</c>, exact match, the special node's permissions).</summary>
    private void FireSpecial(string special) => Fire(null, special, subtree: false, oldPermissions: null);

    private bool WatchPermitted(XsServerConnection connection, string path, XsNode? node, XsPermission[]? oldPermissions)
    {
        if (oldPermissions is not null && Allows(AccessFor(connection, oldPermissions), XsAccess.Read))
        {
            return true;
        }

        if (node is null)
        {
            return false;
        }

        if (Allows(AccessFor(connection, node.Permissions), XsAccess.Read))
        {
            return true;
        }

        return _tree.Get(ParentOf(path)) is { } parent && Allows(AccessFor(connection, parent.Permissions), XsAccess.Read);
    }

    private static void SendEvent(XsServerConnection connection, XsServerWatch watch, string path)
    {
        var shown = watch.PrefixLength > 0 && path.Length >= watch.PrefixLength ? path[watch.PrefixLength..] : path;
        connection.Send(new XsMessage(XsMessageType.WatchEvent, 0, 0, XsPayload.Strings(shown, watch.Token)), isReply: false);
    }

    /// <summary><c>is_child</c>: the path is the watched path or below it.</summary>
    private static bool IsAtOrBelow(string path, string watched) =>
        path == watched || watched == "/" && path.StartsWith('/')
        || path.Length > watched.Length && path.StartsWith(watched, StringComparison.Ordinal) && path[watched.Length] == '/';

    private static void Collect(XsTree tree, string path, List<string> into)
    {
        into.Add(path);
        if (tree.Get(path) is { } node)
        {
            foreach (var child in node.Children)
            {
                Collect(tree, path == "/" ? "/" + child : path + "/" + child, into);
            }
        }
    }

    private static string ParentOf(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash <= 0 ? "/" : path[..slash];
    }

    private static string BaseName(string path) => path[(path.LastIndexOf('/') + 1)..];

    /// <summary><c>onearg</c>: exactly one string, NUL-terminated.</summary>
    private static bool OneArg(byte[] payload, out string arg)
    {
        arg = "";
        if (payload.Length == 0 || Array.IndexOf(payload, (byte)0) != payload.Length - 1)
        {
            return false;
        }

        arg = Encoding.UTF8.GetString(payload, 0, payload.Length - 1);
        return true;
    }

    private static bool OneDomain(byte[] payload, out DomainId domain)
    {
        domain = default;
        return OneArg(payload, out var arg) && DomainId.TryParse(arg, out domain);
    }
}
