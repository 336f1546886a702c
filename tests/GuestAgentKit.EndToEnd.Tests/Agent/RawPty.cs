using GuestAgentKit.Channels;
using GuestAgentKit.Posix;
using GuestAgentKit.Protocol;

namespace GuestAgentKit.EndToEnd.Tests.Agent;

/// <summary>A pty standing in for a guest's hvc tty (raw slave, reached through a symlink as on the loopback);
/// the test is dom0 on the master.</summary>
internal sealed class RawPty : IDisposable
{
    private readonly Pty _pty;

    public RawPty(string linkPath)
    {
        _pty = Pty.Open();
        _pty.MakeRaw(); // A cooked slave would echo a hello written before the agent opened it.
        File.CreateSymbolicLink(linkPath, _pty.SlavePath);
    }

    /// <summary>Handshakes on the master. The agent flushes the tty's input when it opens it, so a hello written
    /// before that open is lost: retry with a short handshake timeout, bounded overall.</summary>
    public async Task<ChannelSession> ConnectAsync(TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            try
            {
                return await ChannelSession.ConnectAsync(
                    _pty.Master,
                    WellKnownChannels.Agent.Name,
                    new HostSessionOptions { LeaveStreamOpen = true, HandshakeTimeout = TimeSpan.FromMilliseconds(500), KeepaliveInterval = Timeout.InfiniteTimeSpan },
                    TestContext.Current.CancellationToken);
            }
            catch (HandshakeTimeoutException) when (DateTime.UtcNow < deadline)
            {
            }
        }
    }

    public void Dispose() => _pty.Dispose();
}
