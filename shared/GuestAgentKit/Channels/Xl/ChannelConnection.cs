namespace GuestAgentKit.Channels.Xl;

/// <summary>Where dom0's end of a channel is connected (xl.cfg(5) <c>connection=</c>).</summary>
public enum ChannelConnection
{
    /// <summary><c>connection=socket</c>: a Unix socket at <c>path</c>, the backend listens on it.</summary>
    Socket,

    /// <summary><c>connection=pty</c>: a pty whose path the backend writes to xenstore (<c>tty</c>).</summary>
    Pty,
}
