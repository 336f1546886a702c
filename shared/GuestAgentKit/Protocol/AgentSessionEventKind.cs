namespace GuestAgentKit.Protocol;

/// <summary>What happened on the agent's end of a channel (<see cref="AgentEndpoint.SessionEvent"/>).</summary>
public enum AgentSessionEventKind
{
    /// <summary>A handshake succeeded; a session is running.</summary>
    SessionStarted,

    /// <summary>The session ended (new marker from dom0, or end of stream).</summary>
    SessionEnded,

    /// <summary>The hello named another channel: the agent answered reject <c>name-mismatch</c>.</summary>
    NameMismatch,

    /// <summary>No common version: the agent answered reject <c>version-mismatch</c>.</summary>
    VersionMismatch,

    /// <summary>The hello was not valid (reject <c>malformed-hello</c> when it had a nonce, else ignored).</summary>
    MalformedHello,

    /// <summary>A line over the cap was discarded (a JSON-RPC error was answered during a session).</summary>
    LineTooLong,

    /// <summary>A line during a session was not JSON-RPC (a parse error was answered).</summary>
    UnparsableLine,

    /// <summary>
    /// The JSON-RPC session failed with the stream still open (e.g. an answer could not be written): the
    /// session was dropped and the agent waits for dom0's next marker. Not a hangup: the loop goes on.
    /// </summary>
    SessionFaulted,
}
