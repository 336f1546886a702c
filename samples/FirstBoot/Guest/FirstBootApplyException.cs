namespace GuestAgentKit.Samples.FirstBoot.Guest;

/// <summary>
/// Applying failed on the file system (a path escaping the root, an unreadable or unwritable file);
/// everything already done was rolled back. <see cref="RollbackComplete"/> is false only when the
/// rollback itself failed; the message then lists what could not be restored.
/// </summary>
public sealed class FirstBootApplyException : IOException
{
    /// <summary>Creates the exception.</summary>
    public FirstBootApplyException(string guestPath, string message, Exception? inner = null, bool rollbackComplete = true)
        : base($"{guestPath}: {message}", inner)
    {
        GuestPath = guestPath;
        RollbackComplete = rollbackComplete;
    }

    /// <summary>The path (as seen inside the guest root) the failure is about.</summary>
    public string GuestPath { get; }

    /// <summary>Whether every change already made was undone.</summary>
    public bool RollbackComplete { get; }
}
