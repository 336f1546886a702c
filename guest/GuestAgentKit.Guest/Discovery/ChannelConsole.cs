namespace GuestAgentKit.Guest.Discovery;

/// <summary>One <c>device/console/&lt;devid&gt;</c> entry of the guest's xenstore and the tty discovery guesses for it.</summary>
/// <param name="Devid">The entry's node name as a number (1..9 for consoles hvc_xen serves), or -1 when the
/// node name is not a number.</param>
/// <param name="NodeName">The node name under <c>device/console</c>, as listed.</param>
/// <param name="Name">The channel name (<c>name</c> node, written by the toolstack; the guest cannot forge it), or null.</param>
/// <param name="State">The frontend's xenbus state (<c>state</c> node, XenbusState), or null when absent or not a number.</param>
/// <param name="Backend">The backend directory (<c>backend</c> node), or null.</param>
/// <param name="DevicePath">The guessed tty, e.g. <c>/dev/hvc1</c>; null when hvc_xen does not serve this entry
/// (devid not 1..9, or no hvc line left). A guess: the handshake's name check confirms it.</param>
public sealed record ChannelConsole(int Devid, string NodeName, string? Name, int? State, string? Backend, string? DevicePath)
{
    /// <summary>The tty's kernel name (<c>hvc1</c>), or null without a device.</summary>
    public string? KernelName => DevicePath is null ? null : Path.GetFileName(DevicePath);
}
