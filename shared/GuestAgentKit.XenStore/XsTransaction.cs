using GuestAgentKit.XenStore.Wire;

namespace GuestAgentKit.XenStore;

/// <summary>A xenstore transaction: the node operations bound to its tx_id. Commit with
/// <see cref="CommitAsync"/>; disposing an uncommitted transaction aborts it.</summary>
public sealed class XsTransaction : XenStoreOperations, IAsyncDisposable
{
    private readonly XenStoreClient _client;
    private int _ended;

    internal XsTransaction(XenStoreClient client, uint id)
    {
        _client = client;
        Id = id;
    }

    /// <summary>The transaction id xenstored assigned.</summary>
    public uint Id { get; }

    /// <summary>Commits the transaction.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>True when committed; false on a conflict (EAGAIN): run the whole transaction again.</returns>
    /// <exception cref="InvalidOperationException">The transaction already ended.</exception>
    public async Task<bool> CommitAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _ended, 1) != 0)
        {
            throw new InvalidOperationException($"Transaction {Id} already ended.");
        }

        var reply = await SendAsync(XsMessageType.TransactionEnd, XsPayload.Strings("T"), "T", XsErrorCode.EAGAIN, cancellationToken).ConfigureAwait(false);
        return reply is not null;
    }

    /// <summary>Aborts the transaction unless it ended. Errors are ignored and a reconnection is not awaited:
    /// a transaction on a closed connection is gone anyway.</summary>
    /// <returns>A task completing when the abort was acknowledged.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _ended, 1) != 0)
        {
            return;
        }

        await _client.SendCleanupAsync(XsMessageType.TransactionEnd, Id, XsPayload.Strings("F")).ConfigureAwait(false);
    }

    private protected override Task<XsMessage> RequestAsync(XsMessageType type, byte[] payload, CancellationToken cancellationToken) =>
        _client.RequestAsync(type, Id, payload, cancellationToken);
}
