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

    /// <summary>Whether disposing the session leaves the stream open (default: the session owns and closes it).</summary>
    public bool LeaveStreamOpen { get; init; }
}
