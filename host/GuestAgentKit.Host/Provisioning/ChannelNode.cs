using GuestAgentKit.XenStore;

namespace GuestAgentKit.Host.Provisioning;

/// <summary>One xenstore node of a provisioned channel, with its value and permissions.</summary>
/// <param name="Path">Absolute path.</param>
/// <param name="Value">Value ("" for a directory).</param>
/// <param name="Permissions">Permissions; the first entry is the owner and the default.</param>
public sealed record ChannelNode(string Path, string Value, IReadOnlyList<XsPermission> Permissions);
