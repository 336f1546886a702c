using System.Text.Json.Serialization.Metadata;

namespace GuestAgentKit.Protocol;

/// <summary>Options of dom0's end of a channel session (<see cref="ChannelSession"/>).</summary>
public sealed class HostSessionOptions
{
    /// <summary>How long to wait for the welcome; default <see cref="Limits.HandshakeTimeout"/>.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = Limits.HandshakeTimeout;

    /// <summary>How long one call may take; default <see cref="Limits.CallTimeout"/>.</summary>
    public TimeSpan CallTimeout { get; init; } = Limits.CallTimeout;

    /// <summary>
    /// Send <c>agent.ping</c> after the channel was silent this long; default
    /// <see cref="Limits.KeepaliveInterval"/>; <see cref="Timeout.InfiniteTimeSpan"/> disables it.
    /// A ping unanswered within <see cref="CallTimeout"/> closes the session.
    /// </summary>
    public TimeSpan KeepaliveInterval { get; init; } = Limits.KeepaliveInterval;

    /// <summary>Longest line accepted from the agent; default <see cref="Limits.ProtocolLineMaxBytes"/>.</summary>
    public int MaxLineBytes { get; init; } = Limits.ProtocolLineMaxBytes;

    /// <summary>Protocol versions offered in the hello; default <c>[1]</c>.</summary>
    public IReadOnlyList<int> ProtocolVersions { get; init; } = [ChannelSession.ProtocolVersion];

    /// <summary>Clock for all timeouts (tests pass a fake one).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Serialization metadata for the caller's argument and result types (source-generated for AOT).</summary>
    public IJsonTypeInfoResolver? JsonTypeInfoResolver { get; init; }

    /// <summary>
    /// Handlers for notifications the agent sends (JSON-RPC messages without <c>id</c>, e.g.
    /// <c>clipboard.changed</c>), keyed by method name. Parameters bind by name to the delegate's parameters
    /// (<c>(string text) =&gt; ...</c>). They are registered before the session reads its first message, so
    /// no notification is missed; one that names no handler is ignored. A handler runs on the session's
    /// read loop: keep it short (hand work off) and do not call the session from it synchronously.
    /// </summary>
    public IReadOnlyDictionary<string, Delegate>? NotificationHandlers { get; init; }

    /// <summary>Whether disposing the session leaves the stream open (default: the session owns and closes it).</summary>
    public bool LeaveStreamOpen { get; init; }
}
