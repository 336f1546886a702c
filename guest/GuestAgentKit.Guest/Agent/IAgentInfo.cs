namespace GuestAgentKit.Guest.Agent;

/// <summary>The built-in <c>agent.info</c> method the agent host adds next to the protocol's <c>agent.ping</c>.</summary>
public interface IAgentInfo
{
    /// <summary><c>agent.info</c>: who the agent is and where it runs.</summary>
    /// <returns>The description.</returns>
    Task<AgentInfo> InfoAsync();
}
