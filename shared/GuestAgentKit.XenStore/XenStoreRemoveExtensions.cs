using GuestAgentKit.XenStore.Wire;

namespace GuestAgentKit.XenStore;

/// <summary>Removal that is done when the node is already gone, whatever became of its parent.</summary>
public static class XenStoreRemoveExtensions
{
    /// <summary>
    /// Removes a node and everything below it; a node that does not exist counts as removed. XS_RM of a missing
    /// node succeeds only while its parent exists (C xenstored <c>do_rm</c>) and answers ENOENT otherwise, which a
    /// toolstack cleaning up (libxl ignores the result of its rm) or a fresh xenstored without
    /// <c>/local/domain</c> or <c>/vm</c> must not take for a failure.
    /// </summary>
    /// <param name="xs">A connection or a transaction.</param>
    /// <param name="path">The node.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>False when xenstored said ENOENT (the node and its parent were already gone).</returns>
    public static async Task<bool> RemoveIfPresentAsync(this XenStoreOperations xs, string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(xs);
        try
        {
            await xs.RemoveAsync(path, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (XenStoreException e) when (e.Error == XsErrorCode.ENOENT)
        {
            return false;
        }
    }
}
