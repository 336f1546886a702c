using GuestAgentKit.Protocol;
using GuestAgentKit.Samples.Clipboard.Guest;

namespace GuestAgentKit.Samples.Clipboard.Dom0;

/// <summary>dom0's side of the clipboard channel over an open session.</summary>
public static class ClipboardRpc
{
    /// <summary>Session options that deliver <c>clipboard.changed</c> notifications to <paramref name="changed"/>.</summary>
    /// <param name="changed">Called on the session's read loop with each new guest text; keep it short.</param>
    /// <returns>The options.</returns>
    public static HostSessionOptions SessionOptions(Action<string>? changed = null) => new()
    {
        NotificationHandlers = changed is null
            ? null
            : new Dictionary<string, Delegate>(StringComparer.Ordinal) { [ClipboardChannel.ChangedNotification] = (string text) => changed(text) },
    };

    /// <summary><c>clipboard.get</c>.</summary>
    /// <param name="session">The session.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The guest's clipboard text.</returns>
    public static Task<string> GetAsync(ChannelSession session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        return session.InvokeAsync<string>(ClipboardChannel.GetMethod, null, cancellationToken);
    }

    /// <summary><c>clipboard.set</c>.</summary>
    /// <param name="session">The session.</param>
    /// <param name="text">The text.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task completing when the guest has set it.</returns>
    public static Task SetAsync(ChannelSession session, string text, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        return session.InvokeAsync<object?>(ClipboardChannel.SetMethod, new { text }, cancellationToken);
    }
}
