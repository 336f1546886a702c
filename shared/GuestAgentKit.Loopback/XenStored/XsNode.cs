using GuestAgentKit.XenStore;

namespace GuestAgentKit.Loopback.XenStored;

/// <summary>One node of the embedded store. Treated as immutable once in a tree: changes put a new node.</summary>
/// <param name="Value">The value bytes.</param>
/// <param name="Permissions">The permission list; entry 0 is owner and default.</param>
/// <param name="Children">Child names in creation order (C xenstored's order).</param>
/// <param name="Generation">Unique stamp of this version, for transaction conflict detection and DIRECTORY_PART.</param>
internal sealed record XsNode(byte[] Value, XsPermission[] Permissions, IReadOnlyList<string> Children, long Generation);
