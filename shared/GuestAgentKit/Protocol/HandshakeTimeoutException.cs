namespace GuestAgentKit.Protocol;

/// <summary>No welcome with our nonce arrived within the handshake timeout.</summary>
public sealed class HandshakeTimeoutException : ChannelProtocolException
{
    /// <summary>Creates the exception for a timeout of <paramref name="timeout"/>.</summary>
    /// <param name="timeout">How long dom0 waited.</param>
    public HandshakeTimeoutException(TimeSpan timeout)
        : base($"no agent answered the handshake within {ProtocolText.Duration(timeout)}: is the guest agent installed and running?") =>
        Timeout = timeout;

    /// <summary>How long dom0 waited.</summary>
    public TimeSpan Timeout { get; }
}
