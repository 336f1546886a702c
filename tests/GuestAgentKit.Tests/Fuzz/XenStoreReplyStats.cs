using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using GuestAgentKit.XenStore.Wire;

namespace GuestAgentKit.Tests.Fuzz;

/// <summary>
/// Reads xenstored's replies on a fuzzed connection and keeps the books a quota check needs: watches
/// and transactions the server granted and not yet released, per connection, and every error code.
/// </summary>
internal sealed class XenStoreReplyStats
{
    private readonly ConcurrentDictionary<uint, XsMessage> _requests = new();

    public long Replies { get; private set; }

    public int Kills { get; set; }

    public int MaxWatches { get; private set; }

    public int MaxTransactions { get; private set; }

    public Dictionary<XsErrorCode, int> Errors { get; } = [];

    public void Sent(XsMessage request) => _requests[request.RequestId] = request;

    /// <summary>Reads replies until the server closes the connection.</summary>
    public async Task ReadRepliesAsync(Stream stream, List<uint> transactions)
    {
        await Task.Yield();
        var watches = 0;
        var buffer = new byte[XsHeader.Size + Limits.XenStorePayloadMax];
        var filled = 0;
        while (true)
        {
            while (XsMessageReader.TryRead(buffer.AsSpan(0, filled), out var reply, out var consumed))
            {
                buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
                filled -= consumed;
                watches = Account(reply!, watches, transactions);
            }

            int read;
            try
            {
                read = await stream.ReadAsync(buffer.AsMemory(filled));
            }
            catch (IOException)
            {
                return; // reset by the server when it killed the connection
            }

            if (read == 0)
            {
                return;
            }

            filled += read;
        }
    }

    private int Account(XsMessage reply, int watches, List<uint> transactions)
    {
        if (reply.Type == XsMessageType.WatchEvent || !_requests.TryRemove(reply.RequestId, out var request))
        {
            return watches;
        }

        Replies++;
        if (reply.Type == XsMessageType.Error)
        {
            var error = XsErrors.Parse(reply.Payload);
            Errors[error] = Errors.GetValueOrDefault(error) + 1;
            if (request.Type == XsMessageType.TransactionEnd && error == XsErrorCode.EAGAIN)
            {
                Remove(transactions, request.TransactionId); // a failed commit still ends the transaction
            }

            return watches;
        }

        switch (reply.Type)
        {
            case XsMessageType.Watch:
                watches++;
                break;
            case XsMessageType.Unwatch:
                watches--;
                break;
            case XsMessageType.ResetWatches:
                watches = 0; // and, as C xenstored's do_reset_watches, every transaction
                lock (transactions)
                {
                    transactions.Clear();
                }

                break;
            case XsMessageType.TransactionStart:
                lock (transactions)
                {
                    transactions.Add(uint.Parse(Encoding.ASCII.GetString(reply.Payload).TrimEnd('\0'), CultureInfo.InvariantCulture));
                    MaxTransactions = Math.Max(MaxTransactions, transactions.Count);
                }

                break;
            case XsMessageType.TransactionEnd:
                Remove(transactions, request.TransactionId);
                break;
        }

        MaxWatches = Math.Max(MaxWatches, watches);
        return watches;
    }

    private static void Remove(List<uint> transactions, uint id)
    {
        lock (transactions)
        {
            transactions.Remove(id);
        }
    }
}
