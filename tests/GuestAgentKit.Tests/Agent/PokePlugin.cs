using GuestAgentKit.Guest.Agent;

namespace GuestAgentKit.Tests.Agent;

internal sealed class PokePlugin(IAgentNotifier notifier) : IPokePlugin
{
    public const string Notification = "poke.poked";

    public Task<bool> PokeAsync(string text) => notifier.NotifyAsync(Notification, new { text }, CancellationToken.None);
}
