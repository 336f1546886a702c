namespace GuestAgentKit.Loopback.XenStored;

/// <summary>An open transaction: a private clone of the tree and the watch firings held until commit.</summary>
internal sealed class XsServerTransaction(uint id, XsTree tree)
{
    public uint Id { get; } = id;

    public XsTree Tree { get; } = tree;

    /// <summary>(path, subtree match) of each change, fired only if the transaction commits.</summary>
    public List<(string Path, bool Subtree)> QueuedFires { get; } = [];
}
