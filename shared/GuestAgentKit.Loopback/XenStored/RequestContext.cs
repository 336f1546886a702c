namespace GuestAgentKit.Loopback.XenStored;

/// <summary>Who asks, and which tree the request sees (the live tree or its transaction's clone).</summary>
internal sealed record RequestContext(XsServerConnection Connection, XsTree Tree, XsServerTransaction? Transaction);
