namespace GuestAgentKit.Loopback.XenStored;

/// <summary>A watch registered by a connection.</summary>
/// <param name="Path">Canonical (absolute or special) path.</param>
/// <param name="Token">The token.</param>
/// <param name="PrefixLength">Characters stripped from event paths (the domain home + '/' for a relative watch).</param>
internal sealed record XsServerWatch(string Path, string Token, int PrefixLength);
