namespace GuestAgentKit.Samples.Clipboard.Plugin;

/// <summary>
/// The clipboard plugin's JSON-RPC surface under the prefix <c>clipboard</c>: <c>clipboard.get</c> and
/// <c>clipboard.set</c>. Changes made in the guest reach dom0 as <c>clipboard.changed</c> notifications
/// (<see cref="ClipboardService.ForwardChangesAsync"/>).
/// </summary>
public interface IClipboardService
{
    /// <summary>The guest's clipboard text.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The text.</returns>
    Task<string> GetAsync(CancellationToken cancellationToken);

    /// <summary>Replaces the guest's clipboard text (not echoed back as <c>clipboard.changed</c>).</summary>
    /// <param name="text">The text, at most 1 MiB of UTF-8.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task completing when the clipboard holds the text.</returns>
    Task SetAsync(string text, CancellationToken cancellationToken);
}
