namespace GuestAgentKit.Protocol;

/// <summary>The agent rejected the hello for a reason other than name or version (e.g. <c>malformed-hello</c>).</summary>
public sealed class HandshakeRejectedException : ChannelProtocolException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="reason">The reject's <c>reason</c>.</param>
    /// <param name="detail">The reject's <c>message</c>, if any.</param>
    public HandshakeRejectedException(string reason, string? detail)
        : base($"the agent rejected the handshake: {reason}{(detail is null ? "" : ": " + detail)}") => Reason = reason;

    /// <summary>The reject's <c>reason</c>.</summary>
    public string Reason { get; }
}
