using GuestAgentKit.Xen;

namespace GuestAgentKit.Loopback.XenStored;

/// <summary>The node tree, flat by absolute path, with per-owner node counts for quotas. A transaction works on
/// an overlay of the live tree that records the generation of every path it touched, so commit can detect
/// conflicts. As in C xenstored (transaction.c since 4.9: no copy of the database per transaction), a transaction
/// sees live changes to nodes it has not touched yet; commit fails if any node it touched changed since, so
/// what it read and wrote is consistent as of the commit. Copying the whole tree per transaction cost
/// milliseconds per <c>channel add</c> with a thousand loopback domains (B3 in docs/performance.md).</summary>
internal sealed class XsTree
{
    private static long s_generation;
    private readonly Dictionary<string, XsNode?> _nodes;
    private readonly Dictionary<DomainId, int> _owned;
    private readonly DomainGenerations _domains;

    /// <summary>Transaction overlays only: the live tree under the overlay.</summary>
    private readonly XsTree? _live;

    public XsTree(DomainGenerations domains)
    {
        _nodes = new Dictionary<string, XsNode?>(StringComparer.Ordinal);
        _owned = [];
        _domains = domains;
    }

    private XsTree(XsTree live)
    {
        // In an overlay _nodes holds only what the transaction changed (null = removed) and _owned the change in counts.
        _nodes = new Dictionary<string, XsNode?>(StringComparer.Ordinal);
        _owned = [];
        _domains = live._domains;
        _live = live;
        Accessed = new Dictionary<string, long>(StringComparer.Ordinal);
        Modified = new HashSet<string>(StringComparer.Ordinal);
    }

    /// <summary>Transaction overlays only: generation (-1 = absent) of each path when first touched.</summary>
    public Dictionary<string, long>? Accessed { get; }

    /// <summary>Transaction overlays only: paths written or removed.</summary>
    public HashSet<string>? Modified { get; }

    public static long NextGeneration() => Interlocked.Increment(ref s_generation);

    public XsTree CloneForTransaction() => new(this);

    /// <summary>The node as C xenstored's <c>read_node</c> returns it: permissions adjusted for stale domains
    /// (<see cref="DomainGenerations.Adjust"/>), which a later write of the node keeps, as in C.</summary>
    public XsNode? Get(string path)
    {
        var node = Lookup(path);
        Accessed?.TryAdd(path, node?.Generation ?? -1);
        return node is null ? null : _domains.Adjust(node);
    }

    /// <summary>Paths of the nodes whose stored owner is <paramref name="domain"/>, shallowest first (live tree).</summary>
    public List<string> PathsOwnedBy(DomainId domain) =>
        [.. _nodes.Where(n => n.Value!.Permissions[0].Domain == domain).Select(n => n.Key).OrderBy(p => p.Length)];

    public int OwnedBy(DomainId domain) => (_live?.OwnedBy(domain) ?? 0) + _owned.GetValueOrDefault(domain);

    public void Put(string path, XsNode node)
    {
        Touch(path);
        if (Lookup(path) is { } old)
        {
            Count(old, -1);
        }

        _nodes[path] = node with { Generation = NextGeneration() };
        Count(node, 1);
    }

    public void Remove(string path)
    {
        Touch(path);
        if (Lookup(path) is { } old)
        {
            Count(old, -1);
            if (_live is null)
            {
                _nodes.Remove(path);
            }
            else
            {
                _nodes[path] = null;
            }
        }
    }

    /// <summary>True when nothing this transaction touched changed in <paramref name="live"/> since it first touched it.</summary>
    public bool CanCommitTo(XsTree live)
    {
        foreach (var (path, generation) in Accessed!)
        {
            if ((live.Lookup(path)?.Generation ?? -1) != generation)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Applies this transaction's changes to <paramref name="live"/>.</summary>
    public void CommitTo(XsTree live)
    {
        foreach (var path in Modified!)
        {
            if (_nodes.GetValueOrDefault(path) is { } node)
            {
                live.Put(path, node);
            }
            else
            {
                live.Remove(path);
            }
        }
    }

    private XsNode? Lookup(string path) =>
        _nodes.TryGetValue(path, out var node) || _live is null ? node : _live.Lookup(path);

    private void Touch(string path)
    {
        if (Accessed is not null)
        {
            Accessed.TryAdd(path, Lookup(path)?.Generation ?? -1);
            Modified!.Add(path);
        }
    }

    private void Count(XsNode node, int delta)
    {
        var owner = node.Permissions[0].Domain;
        _owned[owner] = _owned.GetValueOrDefault(owner) + delta;
    }
}
