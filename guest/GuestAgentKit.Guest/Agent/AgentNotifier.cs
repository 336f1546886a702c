using GuestAgentKit.Protocol;

namespace GuestAgentKit.Guest.Agent;

/// <summary>
/// The host's <see cref="IAgentNotifier"/>. Plugins are created while <see cref="AgentService"/> builds its
/// endpoint, so the notifier cannot take the endpoint in its constructor (a cycle): the service attaches it once
/// the endpoint exists, and until then there is no session to notify anyway.
/// </summary>
internal sealed class AgentNotifier : IAgentNotifier
{
    private AgentEndpoint? _endpoint;

    public void Attach(AgentEndpoint endpoint) => Volatile.Write(ref _endpoint, endpoint);

    public Task<bool> NotifyAsync(string method, object? arguments, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        return Volatile.Read(ref _endpoint) is { } endpoint
            ? endpoint.NotifyAsync(method, arguments, cancellationToken)
            : Task.FromResult(false);
    }
}
