using System.Buffers.Binary;
using System.Net.Sockets;
using GuestAgentKit.XenStore;

namespace GuestAgentKit.EndToEnd.Tests.Host;

/// <summary>
/// A xenstore socket in front of a real xenstored that makes every transaction commit conflict: before it forwards a
/// client's XS_TRANSACTION_END "T" it changes <see cref="ContestedDirectory"/> through its own connection, so the
/// commit gets EAGAIN exactly as when another toolstack wrote there meanwhile. Everything else passes through.
/// </summary>
internal sealed class ConflictingXenStoreProxy : IAsyncDisposable
{
    private const int HeaderSize = 16; // struct xsd_sockmsg { uint32 type, req_id, tx_id, len; }
    private const uint TransactionEnd = 7; // XS_TRANSACTION_END
    private readonly Socket _listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _pumps = [];
    private readonly string _upstream;
    private readonly XenStoreClient _writer;
    private Task _accepting = Task.CompletedTask;
    private int _conflicts;

    private ConflictingXenStoreProxy(string path, string upstream, XenStoreClient writer, string contestedDirectory)
    {
        SocketPath = path;
        _upstream = upstream;
        _writer = writer;
        ContestedDirectory = contestedDirectory;
    }

    public string SocketPath { get; }

    /// <summary>The node whose children change before each commit.</summary>
    public string ContestedDirectory { get; }

    /// <summary>How many commits were made to conflict.</summary>
    public int Conflicts => Volatile.Read(ref _conflicts);

    public static ConflictingXenStoreProxy Start(string path, string upstream, XenStoreClient writer, string contestedDirectory)
    {
        var proxy = new ConflictingXenStoreProxy(path, upstream, writer, contestedDirectory);
        proxy._listener.Bind(new UnixDomainSocketEndPoint(path));
        proxy._listener.Listen(16);
        proxy._accepting = proxy.AcceptAsync();
        return proxy;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _accepting.WaitAsync(TimeSpan.FromSeconds(10));
        await Task.WhenAll(_pumps).WaitAsync(TimeSpan.FromSeconds(10));
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptAsync(_stop.Token);
                var server = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await server.ConnectAsync(new UnixDomainSocketEndPoint(_upstream), _stop.Token);
                var toClient = new NetworkStream(client, ownsSocket: true);
                var toServer = new NetworkStream(server, ownsSocket: true);
                _pumps.Add(PumpAsync(toClient, toServer));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task PumpAsync(NetworkStream client, NetworkStream server)
    {
        await using (client)
        await using (server)
        {
            var replies = server.CopyToAsync(client, _stop.Token);
            try
            {
                var header = new byte[HeaderSize];
                while (true)
                {
                    await client.ReadExactlyAsync(header, _stop.Token);
                    var payload = new byte[BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(12))];
                    await client.ReadExactlyAsync(payload, _stop.Token);
                    if (BinaryPrimitives.ReadUInt32LittleEndian(header) == TransactionEnd && payload is [(byte)'T', ..])
                    {
                        await _writer.WriteAsync(ContestedDirectory + "/conflict", "x", _stop.Token);
                        await _writer.RemoveAsync(ContestedDirectory + "/conflict", _stop.Token);
                        Interlocked.Increment(ref _conflicts);
                    }

                    await server.WriteAsync(header, _stop.Token);
                    await server.WriteAsync(payload, _stop.Token);
                }
            }
            catch (Exception e) when (e is EndOfStreamException or IOException or OperationCanceledException or SocketException)
            {
                // The client hung up (or the test ended): close both ends.
            }

            try
            {
                server.Socket.Shutdown(SocketShutdown.Both);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // Already closed by xenstored.
            }

            await Task.WhenAny(replies);
        }
    }
}
