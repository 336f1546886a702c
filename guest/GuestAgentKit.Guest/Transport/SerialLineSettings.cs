using System.IO.Ports;

namespace GuestAgentKit.Guest.Transport;

/// <summary>Line settings of an emulated UART (<c>/dev/ttyS*</c>) for <see cref="SerialPortTransport"/>.</summary>
/// <param name="BaudRate">Bits per second (emulated UARTs ignore it, real ones do not).</param>
/// <param name="Parity">Parity bit.</param>
/// <param name="DataBits">Data bits per character, 5 to 8; binary traffic needs 8.</param>
/// <param name="StopBits">Stop bits.</param>
public sealed record SerialLineSettings(int BaudRate = 115200, Parity Parity = Parity.None, int DataBits = 8, StopBits StopBits = StopBits.One)
{
    /// <summary>115200 8N1, what QEMU and Xen HVM serial consoles are usually run at.</summary>
    public static SerialLineSettings Default { get; } = new();
}
