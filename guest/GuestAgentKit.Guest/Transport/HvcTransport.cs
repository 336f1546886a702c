using GuestAgentKit.Posix;

namespace GuestAgentKit.Guest.Transport;

/// <summary>
/// A Xen PV channel's <c>/dev/hvcN</c> (or the loopback's pty standing in for it), opened as XEN-FACTS.md §4
/// requires: <c>O_NOCTTY</c>, raw mode, input flushed (<see cref="Tty.OpenRaw"/>). Reads and writes wait on the
/// shared epoll poller, so an idle agent costs no CPU and cancellation works.
/// </summary>
/// <param name="devicePath">The tty, e.g. <c>/dev/hvc1</c>.</param>
/// <param name="poller">The poller to wait on; <see cref="FdPoller.Shared"/> when null.</param>
public sealed class HvcTransport(string devicePath, FdPoller? poller = null) : IChannelTransport
{
    /// <summary>The tty path.</summary>
    public string DevicePath { get; } = devicePath ?? throw new ArgumentNullException(nameof(devicePath));

    /// <inheritdoc />
    public string Description => $"{DevicePath} (raw tty)";

    /// <inheritdoc />
    /// <exception cref="PosixException">The open or a termios call failed.</exception>
    public ValueTask<Stream> OpenAsync(CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<Stream>(cancellationToken);
        }

        return ValueTask.FromResult<Stream>(Tty.OpenRaw(DevicePath, poller));
    }
}
