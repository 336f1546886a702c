using GuestAgentKit.Posix;
using GuestAgentKit.Xen.Platform;
using GuestAgentKit.Xen.Rings;

namespace GuestAgentKit.Loopback.Guest;

/// <summary>
/// One emulated <c>/dev/hvcN</c>: a pty whose master plays the hvc driver, pumped to and from the
/// frontend end of a console ring. Flow control is the ring's: the pump stops reading the pty while the
/// out ring is full and writes to the pty only what the in ring held, so no byte is dropped; every
/// produce and consume notifies the backend. No thread: both pumps wait on the poller and the channel.
/// Disposing hangs the tty up (the master closes: the slave reads end of file) and removes the
/// <c>hvcN</c> symlink; the page and the channel stay with their owner.
/// </summary>
internal sealed class HvcConsole : IAsyncDisposable
{
    private readonly Pty _pty;
    private readonly RingStream _ring;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _toTty;
    private readonly Task _fromTty;

    private HvcConsole(Pty pty, RingStream ring, string devicePath)
    {
        _pty = pty;
        _ring = ring;
        DevicePath = devicePath;
        _toTty = PumpAsync(_ring, _pty.Master);
        _fromTty = PumpAsync(_pty.Master, _ring);
    }

    /// <summary>The <c>R/guests/&lt;D&gt;/hvcN</c> symlink.</summary>
    public string DevicePath { get; }

    /// <summary>The pty slave the symlink points to.</summary>
    public string SlavePath => _pty.SlavePath;

    /// <summary>Opens the pty (raw, as a driver's tty is binary-clean once the agent sets raw mode) and starts pumping.</summary>
    /// <param name="ring">The frontend end of the console page.</param>
    /// <param name="channel">The console's event channel.</param>
    /// <param name="devicePath">Where to put the <c>hvcN</c> symlink (replaced if present).</param>
    public static HvcConsole Open(DuplexRing ring, IEventChannel channel, string devicePath)
    {
        var pty = Pty.Open(holdSlaveOpen: true);
        try
        {
            pty.MakeRaw();
            File.Delete(devicePath);
            File.CreateSymbolicLink(devicePath, pty.SlavePath);
            return new HvcConsole(pty, new RingStream(ring, channel), devicePath);
        }
        catch
        {
            pty.Dispose();
            throw;
        }
    }

    /// <summary>Hangs up: stops the pumps, closes the pty master, removes the symlink.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        File.Delete(DevicePath);
        await _stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_toTty, _fromTty).ConfigureAwait(false);
        _pty.Dispose();
        await _ring.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task PumpAsync(Stream from, Stream to)
    {
        var buffer = new byte[Limits.LoopbackConsoleChunk];
        try
        {
            while (true)
            {
                var read = await from.ReadAsync(buffer, _stop.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    return;
                }

                await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // Hung up, broken ring (the backend wrote bad indices) or stopping: the console is dead either way.
        }
    }
}
