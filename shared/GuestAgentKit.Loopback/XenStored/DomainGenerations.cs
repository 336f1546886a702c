using GuestAgentKit.Xen;
using GuestAgentKit.XenStore;

namespace GuestAgentKit.Loopback.XenStored;

/// <summary>
/// XSA-322 in C xenstored (<c>chk_domain_generation</c>): each known domain carries the tree generation at which
/// xenstored first learnt of it (introduced, or named in a permission list). A permission entry is honoured only
/// for a domain that is still known and is not younger than the node; otherwise the domain id was reused after the
/// node was written (or the domain is gone) and the entry is ignored, and such an owner becomes dom0
/// (<c>domain_adjust_node_perms</c>). With no hypervisor to ask, every named domain counts as existing.
/// </summary>
internal sealed class DomainGenerations
{
    private readonly Dictionary<DomainId, long> _known = [];

    /// <summary>Remembers <paramref name="domain"/> from now on, unless already known (as <c>alloc_domain</c>).</summary>
    public void Reference(DomainId domain)
    {
        if (domain != DomainId.Dom0)
        {
            _known.TryAdd(domain, XsTree.NextGeneration());
        }
    }

    /// <summary>The domain was released: its entries are ignored from now on, even if the id comes back.</summary>
    public void Forget(DomainId domain) => _known.Remove(domain);

    /// <summary>True when an entry for <paramref name="domain"/> in a node of <paramref name="nodeGeneration"/> counts.</summary>
    public bool Honours(DomainId domain, long nodeGeneration) =>
        domain == DomainId.Dom0 || _known.TryGetValue(domain, out var generation) && generation <= nodeGeneration;

    /// <summary>The node as permission checks see it: stale entries dropped, a stale owner replaced by dom0.</summary>
    public XsNode Adjust(XsNode node)
    {
        var permissions = node.Permissions;
        if (permissions.All(p => Honours(p.Domain, node.Generation)))
        {
            return node;
        }

        var adjusted = new List<XsPermission>(permissions.Length)
        {
            Honours(permissions[0].Domain, node.Generation) ? permissions[0] : permissions[0] with { Domain = DomainId.Dom0 },
        };
        adjusted.AddRange(permissions.Skip(1).Where(p => Honours(p.Domain, node.Generation)));
        return node with { Permissions = [.. adjusted] };
    }
}
