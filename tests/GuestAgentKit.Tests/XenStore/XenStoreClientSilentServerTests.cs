using System.Collections.Concurrent;
using GuestAgentKit.XenStore;
using GuestAgentKit.XenStore.Wire;

namespace GuestAgentKit.Tests.XenStore;

/// <summary>A xenstored that stops answering (as for a released domain's connection) must not hang cleanup.</summary>
public sealed class XenStoreClientSilentServerTests
{
    private static readonly TimeSpan Timeout = XenStoreHarness.Timeout;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Dispose_ServerNeverAcknowledges_WatchAndTransactionDisposeReturn()
    {
        await using var harness = await XenStoreHarness.StartAsync();
        var (server, clientSide) = await harness.CreateSocketPairAsync();
        await using var serverStream = server;
        await using var client = XenStoreClient.Create(clientSide);
        var seen = new ConcurrentQueue<XsMessageType>();
        var serving = AnswerOnlySetupAsync(server, seen);

        var watch = await client.WatchAsync("/silent", "tok", Ct).WaitAsync(Timeout, Ct);
        var transaction = await client.StartTransactionAsync(Ct).WaitAsync(Timeout, Ct);

        // Neither UNWATCH nor TRANSACTION_END(F) is answered: both disposes give up after the cleanup bound.
        await Task.WhenAll(watch.DisposeAsync().AsTask(), transaction.DisposeAsync().AsTask())
            .WaitAsync(Limits.XenStoreCleanupTimeout + Timeout, Ct);

        await WaitForAsync(() => seen.Count >= 4);
        Assert.Equal([XsMessageType.Watch, XsMessageType.TransactionStart], seen.Take(2));
        Assert.Contains(XsMessageType.Unwatch, seen);
        Assert.Contains(XsMessageType.TransactionEnd, seen);

        Assert.False(serving.IsFaulted, serving.Exception?.ToString());
    }

    /// <summary>Answers WATCH with OK and TRANSACTION_START with id 1; reads everything else and stays silent.</summary>
    private static async Task AnswerOnlySetupAsync(Stream server, ConcurrentQueue<XsMessageType> seen)
    {
        var header = new byte[XsHeader.Size];
        while (true)
        {
            try
            {
                await server.ReadExactlyAsync(header, Ct);
            }
            catch (Exception e) when (e is EndOfStreamException or IOException or OperationCanceledException or ObjectDisposedException)
            {
                return;
            }

            var request = XsHeader.Read(header);
            await server.ReadExactlyAsync(new byte[request.Length], Ct);
            seen.Enqueue(request.Type);

            var reply = request.Type switch
            {
                XsMessageType.Watch => XsPayload.Strings("OK"),
                XsMessageType.TransactionStart => XsPayload.Strings("1"),
                _ => null,
            };
            if (reply is not null)
            {
                await server.WriteAsync(new XsMessage(request.Type, request.RequestId, request.TransactionId, reply).Encode(), Ct);
            }
        }
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the silent server did not see the cleanup requests");
            await Task.Delay(20, Ct);
        }
    }
}
