using GuestAgentKit.Host.Provisioning;
using GuestAgentKit.Loopback.Toolstack;

namespace GuestAgentKit.EndToEnd.Tests.Faults;

/// <summary>A loopback domain with one provisioned socket channel.</summary>
/// <param name="Domain">The domain.</param>
/// <param name="Info">The channel as provisioned.</param>
/// <param name="SocketPath">dom0's end: the backend's Unix socket.</param>
/// <param name="Device">The guest's end: <c>R/guests/&lt;D&gt;/hvcN</c>, the emulated /dev/hvcN.</param>
internal sealed record RigChannel(LoopbackDomainEntry Domain, ChannelInfo Info, string SocketPath, string Device);
