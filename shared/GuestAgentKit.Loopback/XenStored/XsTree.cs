using GuestAgentKit.Xen;

namespace GuestAgentKit.Loopback.XenStored;

/// <summary>The node tree, flat by absolute path, with per-owner node counts for quotas. A transaction works on
/// a clone that records the generation of every path it touched, so commit can detect conflicts.</summary>
internal sealed class XsTree
{
    private static long s_generation;
    private readonly Dictionary<string, XsNode> _nodes;
    private readonly Dictionary<DomainId, int> _owned;
    private readonly DomainGenerations _domains;

    public XsTree(DomainGenerations domains)
    {
        _nodes = new Dictionary<string, XsNode>(StringComparer.Ordinal);
        _owned = [];
        _domains = domains;
    }

    private XsTree(XsTree source)
    {
        _nodes = new Dictionary<string, XsNode>(source._nodes, StringComparer.Ordinal);
        _owned = new Dictionary<DomainId, int>(source._owned);
        _domains = source._domains;
        Accessed = new Dictionary<string, long>(StringComparer.Ordinal);
        Modified = new HashSet<string>(StringComparer.Ordinal);
    }

    /// <summary>Transaction clones only: generation (-1 = absent) of each path when first touched.</summary>
    public Dictionary<string, long>? Accessed { get; }

    /// <summary>Transaction clones only: paths written or removed.</summary>
    public HashSet<string>? Modified { get; }

    public static long NextGeneration() => Interlocked.Increment(ref s_generation);

    public XsTree CloneForTransaction() => new(this);

    /// <summary>The node as C xenstored's <c>read_node</c> returns it: permissions adjusted for stale domains
    /// (<see cref="DomainGenerations.Adjust"/>), which a later write of the node keeps, as in C.</summary>
    public XsNode? Get(string path)
    {
        var node = _nodes.GetValueOrDefault(path);
        Accessed?.TryAdd(path, node?.Generation ?? -1);
        return node is null ? null : _domains.Adjust(node);
    }

    /// <summary>Paths of the nodes whose stored owner is <paramref name="domain"/>, shallowest first.</summary>
    public List<string> PathsOwnedBy(DomainId domain) =>
        [.. _nodes.Where(n => n.Value.Permissions[0].Domain == domain).Select(n => n.Key).OrderBy(p => p.Length)];

    public int OwnedBy(DomainId domain) => _owned.GetValueOrDefault(domain);

    public void Put(string path, XsNode node)
    {
        Touch(path);
        if (_nodes.TryGetValue(path, out var old))
        {
            Count(old, -1);
        }

        _nodes[path] = node with { Generation = NextGeneration() };
        Count(node, 1);
    }

    public void Remove(string path)
    {
        Touch(path);
        if (_nodes.Remove(path, out var old))
        {
            Count(old, -1);
        }
    }

    /// <summary>True when nothing this transaction touched changed in <paramref name="live"/> since it started.</summary>
    public bool CanCommitTo(XsTree live)
    {
        foreach (var (path, generation) in Accessed!)
        {
            if ((live._nodes.GetValueOrDefault(path)?.Generation ?? -1) != generation)
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
            if (_nodes.TryGetValue(path, out var node))
            {
                live.Put(path, node);
            }
            else
            {
                live.Remove(path);
            }
        }
    }

    private void Touch(string path)
    {
        if (Accessed is not null)
        {
            Accessed.TryAdd(path, _nodes.GetValueOrDefault(path)?.Generation ?? -1);
            Modified!.Add(path);
        }
    }

    private void Count(XsNode node, int delta)
    {
        var owner = node.Permissions[0].Domain;
        _owned[owner] = _owned.GetValueOrDefault(owner) + delta;
    }
}
