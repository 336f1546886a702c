namespace GuestAgentKit.Loopback.Guest;

/// <summary>Releasing a guest's pages and ports when the toolstack may have removed their files already.</summary>
internal static class DomainResources
{
    /// <summary>
    /// Disposes <paramref name="resource"/>; a destroyed domain's <c>R/evtchn/&lt;D&gt;</c> and <c>R/grants/&lt;D&gt;</c>
    /// directories may be gone before its guest stops (the toolstack runs in another process), and then
    /// there is nothing left to remove.
    /// </summary>
    public static void Release(IDisposable? resource)
    {
        try
        {
            resource?.Dispose();
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    /// <summary>Runs <paramref name="remove"/> (e.g. ending a grant), tolerating a domain directory that is gone.</summary>
    public static void Release(Action remove)
    {
        try
        {
            remove();
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
