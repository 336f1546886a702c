namespace GuestAgentKit;

public static partial class Limits
{
    /// <summary>
    /// Longest JSON-RPC line (message bytes without the terminating LF) either end accepts after the
    /// handshake. Longer lines are discarded up to their LF without being buffered (docs/protocol.md).
    /// </summary>
    public const int ProtocolLineMaxBytes = 1024 * 1024;

    /// <summary>
    /// Longest hello, welcome or reject line in bytes (without the LF). A hello is a few hundred bytes;
    /// a welcome lists every method, so an agent refuses targets that would push it over this.
    /// </summary>
    public const int HandshakeLineMaxBytes = 64 * 1024;

    /// <summary>
    /// How many bytes the line reader asks the stream for at once; its buffer never exceeds the line
    /// cap plus this chunk.
    /// </summary>
    public const int ProtocolReadChunkBytes = 4096;

    /// <summary>Random bytes in a hello nonce (sent as twice as many lowercase hex digits).</summary>
    public const int HandshakeNonceBytes = 16;

    /// <summary>Longest nonce (in characters) an agent echoes back; longer hello nonces are malformed.</summary>
    public const int HandshakeNonceMaxChars = 64;

    /// <summary>Most protocol versions a hello may list.</summary>
    public const int HandshakeMaxVersions = 16;

    /// <summary>How long dom0 waits for the welcome after sending the hello.</summary>
    public static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Default time dom0 waits for the answer to one JSON-RPC call.</summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    /// <summary>dom0 sends <c>agent.ping</c> after the channel was silent this long.</summary>
    public static readonly TimeSpan KeepaliveInterval = TimeSpan.FromSeconds(30);
}
