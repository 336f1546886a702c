namespace GuestAgentKit.Protocol;

/// <summary>The built-in <c>agent.*</c> methods.</summary>
internal sealed class AgentBuiltins : IAgentBuiltins
{
    public Task<string> PingAsync() => Task.FromResult("pong");
}
