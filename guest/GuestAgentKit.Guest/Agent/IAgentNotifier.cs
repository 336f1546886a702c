namespace GuestAgentKit.Guest.Agent;

/// <summary>
/// Sends JSON-RPC notifications from the guest to dom0 (e.g. <c>clipboard.changed</c>). Registered by
/// <see cref="AgentHost.CreateBuilder"/>: take it in a plugin's constructor. Safe from any thread, also from inside
/// a method call.
/// </summary>
public interface IAgentNotifier
{
    /// <summary>
    /// Sends a notification (no <c>id</c>, no answer) in the current dom0 session. Nothing is queued: with no
    /// session running, or when the session ends during the write, it is dropped and this returns false — the
    /// next dom0 client asks for the current state anyway.
    /// </summary>
    /// <param name="method">The notification's method name, namespaced like methods: <c>clipboard.changed</c>.</param>
    /// <param name="arguments">Null for none, else an object sent as named parameters (<c>"params":{...}</c>);
    /// under NativeAOT its type needs source-generated metadata
    /// (<see cref="AgentServiceCollectionExtensions.AddAgentJsonTypeInfoResolver"/>).</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>True when the notification was handed to the session's writer.</returns>
    /// <exception cref="GuestAgentKit.Protocol.LineTooLongException">It would exceed the channel's line cap; nothing was sent.</exception>
    Task<bool> NotifyAsync(string method, object? arguments, CancellationToken cancellationToken);
}
