using GuestAgentKit.XenStore;

namespace GuestAgentKit.Loopback.XenStored;

/// <summary>An open transaction: a private clone of the tree and the watch firings held until commit.</summary>
internal sealed class XsServerTransaction(uint id, XsTree tree)
{
    public uint Id { get; } = id;

    public XsTree Tree { get; } = tree;

    private readonly Dictionary<string, int> _queuedAt = new(StringComparer.Ordinal);
    private readonly List<(string Path, bool Subtree, XsPermission[]? Permissions)> _queued = [];

    /// <summary>The changed nodes, fired only if the transaction commits, each once and in the order first changed
    /// (C xenstored's <c>queue_watches</c>: one flag per accessed node, so writing a node and then setting its
    /// permissions is one event, not two), with the node's permissions when first changed (a node removed in the
    /// transaction no longer exists at commit, yet watchers must hear of it).</summary>
    public IReadOnlyList<(string Path, bool Subtree, XsPermission[]? Permissions)> QueuedFires => _queued;

    /// <summary>Queues a firing of <paramref name="path"/>; a subtree firing wins over an exact one, as in C.</summary>
    public void QueueFire(string path, bool subtree, XsPermission[]? permissions)
    {
        if (_queuedAt.TryGetValue(path, out var at))
        {
            _queued[at] = _queued[at] with { Subtree = _queued[at].Subtree || subtree };
            return;
        }

        _queuedAt[path] = _queued.Count;
        _queued.Add((path, subtree, permissions));
    }
}
