using System.IO.Ports;
using GuestAgentKit.Streams;

namespace GuestAgentKit.Guest.Transport;

/// <summary>
/// A channel carried over a real or emulated UART (<c>/dev/ttyS*</c>, e.g. an HVM guest whose serial port
/// dom0 connects to), through System.IO.Ports <see cref="SerialPort"/>, which applies baud rate, parity,
/// data and stop bits and opens the device with <c>O_NOCTTY</c> in raw mode.
/// </summary>
/// <remarks>
/// Only for UARTs: <see cref="SerialPort"/> runs a background poll loop per open port that costs CPU
/// while idle (about 90 ms per 5 s measured, STYLE.md "Stack facts"), and a real UART needs its line
/// settings. Xen PV channels (<c>/dev/hvcN</c>) have no line settings and must cost nothing when idle: use
/// <see cref="HvcTransport"/> for them.
/// </remarks>
/// <param name="portPath">The device, e.g. <c>/dev/ttyS1</c> (any tty path works, a pty slave too).</param>
/// <param name="settings">Line settings; <see cref="SerialLineSettings.Default"/> when null.</param>
public sealed class SerialPortTransport(string portPath, SerialLineSettings? settings = null) : IChannelTransport
{
    /// <summary>The device path.</summary>
    public string PortPath { get; } = portPath ?? throw new ArgumentNullException(nameof(portPath));

    /// <summary>The line settings applied on open.</summary>
    public SerialLineSettings Settings { get; } = settings ?? SerialLineSettings.Default;

    /// <inheritdoc />
    public string Description => $"{PortPath} (serial {Settings.BaudRate} {Settings.DataBits}{Settings.Parity.ToString()[0]}{(Settings.StopBits == StopBits.One ? "1" : Settings.StopBits.ToString())})";

    /// <inheritdoc />
    public ValueTask<Stream> OpenAsync(CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<Stream>(cancellationToken);
        }

        var port = new SerialPort(PortPath, Settings.BaudRate, Settings.Parity, Settings.DataBits, Settings.StopBits)
        {
            Handshake = Handshake.None,
        };
        try
        {
            port.Open();
            // Same rule as for hvc: stale input from an earlier session must not reach the handshake.
            port.DiscardInBuffer();
            return ValueTask.FromResult<Stream>(new OwningStream(port.BaseStream, port));
        }
        catch
        {
            port.Dispose();
            throw;
        }
    }
}
