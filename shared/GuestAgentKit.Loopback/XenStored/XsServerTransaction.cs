using GuestAgentKit.XenStore;

namespace GuestAgentKit.Loopback.XenStored;

/// <summary>An open transaction: a private clone of the tree and the watch firings held until commit.</summary>
internal sealed class XsServerTransaction(uint id, XsTree tree)
{
    public uint Id { get; } = id;

    public XsTree Tree { get; } = tree;

    /// <summary>Each change, fired only if the transaction commits, with the node's permissions at the time of the
    /// change (a node removed in the transaction no longer exists at commit, yet watchers must hear of it).</summary>
    public List<(string Path, bool Subtree, XsPermission[]? Permissions)> QueuedFires { get; } = [];
}
