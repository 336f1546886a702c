using System.Net.Sockets;
using GuestAgentKit.XenStore;
using GuestAgentKit.XenStore.Wire;

namespace GuestAgentKit.Tests.Loopback;

public sealed class XenbusMultiplexerTests
{
    private static readonly TimeSpan Timeout = LoopbackTestXen.Timeout;

    [Fact]
    public async Task XenbusSocket_GuestClient_SeesRelativePathsAndIsDeniedDom0Nodes()
    {
        await using var lb = await LoopbackTestXen.StartAsync();
        var entry = await lb.Xen.CreateDomainAsync("web", null, TestContext.Current.CancellationToken).WaitAsync(Timeout, TestContext.Current.CancellationToken);
        await lb.Dom0.WriteAsync("/tool/secret", "x", TestContext.Current.CancellationToken);
        await using var guest = await XenStoreClient.ConnectAsync(XenStoreEndpoint.FromPath(entry.XenbusPath), TestContext.Current.CancellationToken).WaitAsync(Timeout, TestContext.Current.CancellationToken);

        Assert.Equal("web", await guest.ReadAsync("name", TestContext.Current.CancellationToken).WaitAsync(Timeout, TestContext.Current.CancellationToken));
        await guest.WriteAsync("data/greeting", "hi", TestContext.Current.CancellationToken).WaitAsync(Timeout, TestContext.Current.CancellationToken);
        Assert.Equal("hi", await lb.Dom0.ReadAsync("/local/domain/1/data/greeting", TestContext.Current.CancellationToken));
        var denied = await Assert.ThrowsAsync<XenStoreException>(() => guest.ReadAsync("/tool/secret", TestContext.Current.CancellationToken).WaitAsync(Timeout, TestContext.Current.CancellationToken));
        Assert.Equal(XsErrorCode.EACCES, denied.Error);
    }

    [Fact]
    public async Task XenbusSocket_TwoClientsSameRequestIdsAndTokens_KeptApart()
    {
        await using var lb = await LoopbackTestXen.StartAsync();
        var entry = await lb.Xen.CreateDomainAsync("web", null, TestContext.Current.CancellationToken).WaitAsync(Timeout, TestContext.Current.CancellationToken);
        using var a = await RawClient.ConnectAsync(entry.XenbusPath);
        using var b = await RawClient.ConnectAsync(entry.XenbusPath);

        await a.SendAsync(new XsMessage(XsMessageType.Watch, 7, 0, XsPayload.Strings("data/a", "tok")));
        await b.SendAsync(new XsMessage(XsMessageType.Watch, 7, 0, XsPayload.Strings("data/b", "tok")));
        // Each sees its WATCH reply (req_id 7 restored) and its own initial event, nothing of the other's.
        var fromA = new[] { await a.ReceiveAsync(), await a.ReceiveAsync() };
        var fromB = new[] { await b.ReceiveAsync(), await b.ReceiveAsync() };
        Assert.Contains(fromA, m => m.Type == XsMessageType.Watch && m.RequestId == 7);
        Assert.Contains(fromB, m => m.Type == XsMessageType.Watch && m.RequestId == 7);
        Assert.Equal(["data/a", "tok"], fromA.Single(m => m.Type == XsMessageType.WatchEvent).Payload is var pa ? XsPayload.Split(pa) : null);
        Assert.Equal(["data/b", "tok"], fromB.Single(m => m.Type == XsMessageType.WatchEvent).Payload is var pb ? XsPayload.Split(pb) : null);

        await lb.Dom0.WriteAsync("/local/domain/1/data/b", "1", TestContext.Current.CancellationToken);
        await a.SendAsync(new XsMessage(XsMessageType.Read, 9, 0, XsPayload.Strings("name")));
        var reply = await a.ReceiveAsync(); // the event on data/b must not reach A
        Assert.Equal((XsMessageType.Read, 9u, "web"), (reply.Type, reply.RequestId, XsPayload.Split(reply.Payload)[0]));
        var eventB = await b.ReceiveAsync();
        Assert.Equal(["data/b", "tok"], XsPayload.Split(eventB.Payload));
    }

    [Fact]
    public async Task XenbusSocket_ClientDisconnectsInTransaction_TransactionAborted()
    {
        await using var lb = await LoopbackTestXen.StartAsync();
        var entry = await lb.Xen.CreateDomainAsync("web", null, TestContext.Current.CancellationToken).WaitAsync(Timeout, TestContext.Current.CancellationToken);
        var a = await RawClient.ConnectAsync(entry.XenbusPath);
        await a.SendAsync(new XsMessage(XsMessageType.TransactionStart, 1, 0, XsPayload.Strings(string.Empty)));
        var started = await a.ReceiveAsync();
        var tx = uint.Parse(XsPayload.Split(started.Payload)[0]);
        await a.SendAsync(new XsMessage(XsMessageType.Write, 2, tx, XsPayload.PathAndValue("data/x", "1"u8)));
        Assert.Equal(XsMessageType.Write, (await a.ReceiveAsync()).Type);

        a.Dispose();

        // A domain has 10 transactions at most: if the abandoned one leaked, eleven more could not start.
        await using var guest = await XenStoreClient.ConnectAsync(XenStoreEndpoint.FromPath(entry.XenbusPath), TestContext.Current.CancellationToken).WaitAsync(Timeout, TestContext.Current.CancellationToken);
        var transactions = new List<XsTransaction>();
        for (var i = 0; i < Limits.XenStoredTransactionsPerDomain; i++)
        {
            transactions.Add(await guest.StartTransactionAsync(TestContext.Current.CancellationToken).WaitAsync(Timeout, TestContext.Current.CancellationToken));
        }

        Assert.Null(await lb.Dom0.ReadAsync("/local/domain/1/data/x", TestContext.Current.CancellationToken));
        foreach (var t in transactions)
        {
            await t.DisposeAsync();
        }
    }

    /// <summary>A process speaking the wire protocol by hand, to choose its own req_ids and tokens.</summary>
    private sealed class RawClient : IDisposable
    {
        private readonly NetworkStream _stream;
        private readonly byte[] _buffer = new byte[XsHeader.Size + Limits.XenStorePayloadMax];
        private int _filled;

        private RawClient(NetworkStream stream) => _stream = stream;

        public static async Task<RawClient> ConnectAsync(string path)
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path)).WaitAsync(Timeout, TestContext.Current.CancellationToken);
            return new RawClient(new NetworkStream(socket, ownsSocket: true));
        }

        public Task SendAsync(XsMessage message) => _stream.WriteAsync(message.Encode()).AsTask().WaitAsync(Timeout, TestContext.Current.CancellationToken);

        public async Task<XsMessage> ReceiveAsync()
        {
            while (true)
            {
                if (XsMessageReader.TryRead(_buffer.AsSpan(0, _filled), out var message, out var consumed))
                {
                    _buffer.AsSpan(consumed, _filled - consumed).CopyTo(_buffer);
                    _filled -= consumed;
                    return message!;
                }

                var read = await _stream.ReadAsync(_buffer.AsMemory(_filled)).AsTask().WaitAsync(Timeout, TestContext.Current.CancellationToken);
                Assert.NotEqual(0, read);
                _filled += read;
            }
        }

        public void Dispose() => _stream.Dispose();
    }
}
