using GuestAgentKit.Protocol;

namespace GuestAgentKit.Guest.Agent;

/// <summary>One plugin registered through DI (<see cref="AgentServiceCollectionExtensions.AddAgentPlugin{TInterface, TImplementation}"/>):
/// the agent host adds it to its endpoint when it starts.</summary>
public sealed class AgentPluginRegistration
{
    private readonly Action<AgentEndpoint, IServiceProvider> _register;

    internal AgentPluginRegistration(string prefix, Type serviceInterface, Action<AgentEndpoint, IServiceProvider> register)
    {
        Prefix = prefix;
        ServiceInterface = serviceInterface;
        _register = register;
    }

    /// <summary>The method prefix, e.g. <c>config</c> for <c>config.apply</c>.</summary>
    public string Prefix { get; }

    /// <summary>The interface whose methods are served.</summary>
    public Type ServiceInterface { get; }

    internal void Register(AgentEndpoint endpoint, IServiceProvider services) => _register(endpoint, services);
}
