using System.Text.Json.Serialization.Metadata;

namespace GuestAgentKit.Host.Client;

/// <summary>Options of an <see cref="AgentClient"/>.</summary>
public sealed class AgentClientOptions
{
    /// <summary>How long to wait for the socket to accept; default <see cref="Limits.AgentClientConnectTimeout"/>.</summary>
    public TimeSpan ConnectTimeout { get; init; } = Limits.AgentClientConnectTimeout;

    /// <summary>How long to wait for the agent's welcome; default <see cref="Limits.HandshakeTimeout"/> (10 s).</summary>
    public TimeSpan HandshakeTimeout { get; init; } = Limits.HandshakeTimeout;

    /// <summary>How long one call may take; default <see cref="Limits.CallTimeout"/> (30 s).</summary>
    public TimeSpan CallTimeout { get; init; } = Limits.CallTimeout;

    /// <summary>Ping the agent after this much silence; default <see cref="Limits.KeepaliveInterval"/>;
    /// <see cref="Timeout.InfiniteTimeSpan"/> disables it.</summary>
    public TimeSpan KeepaliveInterval { get; init; } = Limits.KeepaliveInterval;

    /// <summary>Serialization metadata for the caller's argument and result types (source-generated for AOT).</summary>
    public IJsonTypeInfoResolver? JsonTypeInfoResolver { get; init; }

    /// <summary>Handlers for notifications the agent sends (e.g. <c>clipboard.changed</c>), keyed by method name;
    /// see <see cref="GuestAgentKit.Protocol.HostSessionOptions.NotificationHandlers"/> for how they bind and run.</summary>
    public IReadOnlyDictionary<string, Delegate>? NotificationHandlers { get; init; }

    /// <summary>Clock for the protocol's timeouts (tests pass a fake one).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
