namespace GuestAgentKit.Protocol;

/// <summary>Methods every agent serves under the <c>agent.</c> prefix.</summary>
public interface IAgentBuiltins
{
    /// <summary><c>agent.ping</c>: answers <c>"pong"</c>; dom0 uses it as keepalive.</summary>
    /// <returns>"pong".</returns>
    Task<string> PingAsync();
}
