using GuestAgentKit.Xen;

namespace GuestAgentKit.Host.Provisioning;

/// <summary>One console device of a domain as xenstore shows it (what <c>xl channel-list</c> prints, and more).</summary>
/// <param name="Domain">The frontend domain.</param>
/// <param name="Devid">The console devid (1..9 for channels).</param>
/// <param name="Name">The channel name (frontend <c>name</c>), or null for an unnamed console.</param>
/// <param name="BackendDomain">The backend domain (frontend <c>backend-id</c>).</param>
/// <param name="Type">The frontend <c>type</c>: <c>guestagentkit</c> for ours, <c>ioemu</c> for QEMU's.</param>
/// <param name="Connection">Backend <c>connection</c> (<c>socket</c> or <c>pty</c>), or null.</param>
/// <param name="SocketPath">Backend <c>path</c> for socket channels, or null.</param>
/// <param name="Tty">Frontend <c>tty</c> (the pty path for pty channels once connected), or null.</param>
/// <param name="FrontendState">Frontend <c>state</c>, or null when missing or not a number.</param>
/// <param name="BackendState">Backend <c>state</c>, or null when missing or not a number.</param>
/// <param name="EventChannel">Frontend <c>port</c> as written by the guest (unvalidated text), or null.</param>
/// <param name="RingRef">Frontend <c>ring-ref</c> as written by the guest (unvalidated text), or null.</param>
/// <param name="FrontendPath">The frontend directory.</param>
/// <param name="BackendPath">The backend directory (frontend <c>backend</c>, or where ours would be).</param>
public sealed record ChannelInfo(
    DomainId Domain,
    int Devid,
    string? Name,
    DomainId BackendDomain,
    string? Type,
    string? Connection,
    string? SocketPath,
    string? Tty,
    XenbusState? FrontendState,
    XenbusState? BackendState,
    string? EventChannel,
    string? RingRef,
    string FrontendPath,
    string BackendPath)
{
    /// <summary>True when our backend serves this console (frontend <c>type</c> is <see cref="ChannelPaths.ChannelBackendType"/>).</summary>
    public bool IsOurs => Type == ChannelPaths.ChannelBackendType;
}
