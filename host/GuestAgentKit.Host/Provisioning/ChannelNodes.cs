using System.Globalization;
using GuestAgentKit.Channels.Xl;
using GuestAgentKit.Xen;
using GuestAgentKit.XenStore;

namespace GuestAgentKit.Host.Provisioning;

/// <summary>
/// The nodes libxl writes for a channel (libxl_console.c <c>libxl__device_console_add</c> with no build
/// state, as for every channel), with the permissions of libxl_device.c <c>libxl__device_generic_add</c>:
/// <c>frontend_perms</c> = {n D, r B} for the frontend directory and its guest-writable entries;
/// <c>ro_frontend_perms</c> = <c>backend_perms</c> = {n B, r D} for the read-only frontend entries and the
/// whole backend directory. Directories come first so a writer can create them in order.
/// </summary>
/// <param name="FrontendPath">The frontend directory.</param>
/// <param name="BackendPath">The backend directory.</param>
/// <param name="All">Every node in write order.</param>
public sealed record ChannelNodes(string FrontendPath, string BackendPath, IReadOnlyList<ChannelNode> All)
{
    /// <summary>Builds the node set.</summary>
    /// <param name="domain">The frontend domain D.</param>
    /// <param name="backend">The backend domain B.</param>
    /// <param name="devid">The devid.</param>
    /// <param name="spec">The channel.</param>
    /// <returns>The nodes.</returns>
    public static ChannelNodes For(DomainId domain, DomainId backend, int devid, XlChannelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var front = ChannelPaths.Frontend(domain, devid);
        var back = ChannelPaths.Backend(backend, domain, devid);
        XsPermission[] frontendPerms = [new(XsAccess.None, domain), new(XsAccess.Read, backend)];
        XsPermission[] roPerms = [new(XsAccess.None, backend), new(XsAccess.Read, domain)];
        var isSocket = spec.Connection == ChannelConnection.Socket;
        var devidText = devid.ToString(CultureInfo.InvariantCulture);
        var nodes = new List<ChannelNode>
        {
            new(front, "", frontendPerms),
            new(front + "/backend", back, frontendPerms),
            new(front + "/backend-id", backend.ToString(), frontendPerms),
            new(front + "/state", ChannelProvisioner.StateText(XenbusState.Initialising), frontendPerms),
            new(front + "/protocol", ChannelPaths.Protocol, frontendPerms),
            new(front + "/name", spec.Name.Value, roPerms),
            new(front + "/limit", Limits.XenConsoleLimit.ToString(CultureInfo.InvariantCulture), roPerms),
            new(front + "/type", ChannelPaths.ChannelBackendType, roPerms),

            // libxl__init_console_from_channel: "pty", or "chardev:libxl-channel<devid>" naming QEMU's chardev.
            new(front + "/output", isSocket ? "chardev:libxl-channel" + devidText : "pty", roPerms),
            new(front + "/tty", "", roPerms),
            new(back, "", roPerms),
            new(back + "/frontend", front, roPerms),
            new(back + "/frontend-id", domain.ToString(), roPerms),
            new(back + "/online", "1", roPerms),
            new(back + "/state", ChannelProvisioner.StateText(XenbusState.Initialising), roPerms),
            new(back + "/protocol", ChannelPaths.Protocol, roPerms),
            new(back + "/name", spec.Name.Value, roPerms),
            new(back + "/connection", isSocket ? "socket" : "pty", roPerms),
        };
        if (isSocket)
        {
            nodes.Add(new(back + "/path", spec.Path!, roPerms));
        }

        return new ChannelNodes(front, back, nodes);
    }
}
