namespace GuestAgentKit.Tests.Agent;

/// <summary>A plugin that answers a call by notifying dom0 (<c>poke.poked</c>) through <see cref="GuestAgentKit.Guest.Agent.IAgentNotifier"/>.</summary>
public interface IPokePlugin
{
    Task<bool> PokeAsync(string text);
}
