namespace GuestAgentKit.Protocol;

/// <summary>
/// The JSON object of a hello, welcome or reject line (docs/protocol.md "Handshake"). Properties are
/// written in declaration order and null ones are omitted, which gives the documented byte layouts.
/// </summary>
internal sealed class HandshakeMessage
{
    public const string Hello = "hello";
    public const string Welcome = "welcome";
    public const string Reject = "reject";

    /// <summary><c>hello</c>, <c>welcome</c> or <c>reject</c>.</summary>
    public string? Gak { get; set; }

    /// <summary>dom0's fresh nonce, echoed by the agent.</summary>
    public string? Nonce { get; set; }

    /// <summary>hello: the channel name dom0 expects; reject: the agent's channel name.</summary>
    public string? Channel { get; set; }

    /// <summary>hello: versions dom0 speaks; reject: versions the agent speaks.</summary>
    public int[]? Versions { get; set; }

    /// <summary>welcome: the chosen version.</summary>
    public int? Version { get; set; }

    /// <summary>welcome: the agent's name and version.</summary>
    public AgentIdentity? Agent { get; set; }

    /// <summary>welcome: the JSON-RPC methods the agent serves.</summary>
    public string[]? Methods { get; set; }

    /// <summary>reject: <c>name-mismatch</c>, <c>version-mismatch</c> or <c>malformed-hello</c>.</summary>
    public string? Reason { get; set; }

    /// <summary>reject: a human-readable explanation.</summary>
    public string? Message { get; set; }
}
