namespace GuestAgentKit.Posix;

/// <summary>Readiness conditions of a file descriptor (the <c>EPOLL*</c>/<c>POLL*</c> bits, which Linux keeps equal).</summary>
[Flags]
public enum PollEvents : uint
{
    /// <summary>No condition.</summary>
    None = 0,

    /// <summary>Data to read (<c>EPOLLIN</c>).</summary>
    In = 0x001,

    /// <summary>Room to write (<c>EPOLLOUT</c>).</summary>
    Out = 0x004,

    /// <summary>Error condition (<c>EPOLLERR</c>), always reported.</summary>
    Error = 0x008,

    /// <summary>Hang-up: the peer closed (<c>EPOLLHUP</c>), always reported.</summary>
    HangUp = 0x010,
}
