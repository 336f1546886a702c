namespace GuestAgentKit.Protocol;

/// <summary>
/// How the read side of one JSON-RPC session ended (<see cref="ChannelMessageHandler.ReadEnd"/>). The
/// agent decides from it what comes next: a new handshake, a reopen of the device, or a reset.
/// </summary>
internal enum ChannelReadEnd
{
    /// <summary>The read side did not end by itself: the session was disposed or faulted above the framing.</summary>
    None,

    /// <summary>A resync marker arrived: the peer starts a new session.</summary>
    Marker,

    /// <summary>The stream reached end of stream (hangup).</summary>
    EndOfStream,

    /// <summary>Reading the stream failed with an I/O error (a tty's EIO after a hangup, a reset socket).</summary>
    StreamError,

    /// <summary>The line policy ended the session on an oversized or unparsable line.</summary>
    Refused,
}
