using System.Net.Sockets;
using System.Threading.Channels;
using GuestAgentKit.XenStore.Wire;

namespace GuestAgentKit.Loopback.Guest;

/// <summary>
/// One process's open <c>/dev/xen/xenbus</c> on the emulated guest: what <c>xenbus_dev_frontend</c>
/// keeps per open file — its watches, its transactions and its queue of replies and events.
/// </summary>
internal sealed class XenbusConnection
{
    private readonly NetworkStream _stream;
    private readonly Channel<XsMessage> _outbound = Channel.CreateBounded<XsMessage>(
        new BoundedChannelOptions(Limits.LoopbackXenbusQueuedMessages) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private readonly CancellationTokenSource _closed = new();

    public XenbusConnection(int id, Socket socket)
    {
        Id = id;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    /// <summary>Prefix of this connection's watch tokens on the shared ring: unique per connection.</summary>
    public int Id { get; }

    /// <summary>Watches this process registered: (path, token as this process knows it). Guarded by the multiplexer.</summary>
    public HashSet<(string Path, string Token)> Watches { get; } = [];

    /// <summary>Transactions this process started and has not ended. Guarded by the multiplexer.</summary>
    public HashSet<uint> Transactions { get; } = [];

    public CancellationToken Closed => _closed.Token;

    /// <summary>Queues a reply or event; a process that lets <see cref="Limits.LoopbackXenbusQueuedMessages"/>
    /// pile up is disconnected rather than allowed to stall the domain's ring.</summary>
    public void Enqueue(XsMessage message)
    {
        if (!_outbound.Writer.TryWrite(message))
        {
            Close();
        }
    }

    public XenbusMessageFramer CreateFramer() => new(_stream);

    public async Task WriteLoopAsync()
    {
        try
        {
            await foreach (var message in _outbound.Reader.ReadAllAsync(_closed.Token).ConfigureAwait(false))
            {
                await _stream.WriteAsync(message.Encode(), _closed.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The process went away, or we closed it.
        }
        finally
        {
            Close();
        }
    }

    public void Close()
    {
        if (!_closed.IsCancellationRequested)
        {
            _outbound.Writer.TryComplete();
            _closed.Cancel();
            _stream.Dispose();
        }
    }
}
