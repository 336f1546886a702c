using System.Threading.Channels;
using GuestAgentKit.Xen;
using GuestAgentKit.XenStore.Wire;

namespace GuestAgentKit.Loopback.XenStored;

/// <summary>One client of the embedded xenstored: a reader that stops reading at the outstanding-request quota,
/// a writer pump for replies and watch events, and the connection's watches and transactions (guarded by the
/// server's lock).</summary>
internal sealed class XsServerConnection
{
    private readonly Stream _stream;
    private readonly EmbeddedXenStored _server;
    private readonly Channel<(byte[] Bytes, bool IsReply)> _output = Channel.CreateUnbounded<(byte[], bool)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SemaphoreSlim _outstanding = new(Limits.XenStoredOutstandingRequests, Limits.XenStoredOutstandingRequests);
    private readonly CancellationTokenSource _closing = new();
    private int _queued;
    private int _closed;

    public XsServerConnection(EmbeddedXenStored server, Stream stream, DomainId domain, bool privileged, string name)
    {
        _server = server;
        _stream = stream;
        Domain = domain;
        Privileged = privileged;
        Name = name;
        HomePath = "/local/domain/" + domain;
    }

    public DomainId Domain { get; }

    public bool Privileged { get; }

    public string Name { get; }

    public string HomePath { get; }

    /// <summary>In registration order; changed only through the server's <see cref="XsWatchIndex"/>.</summary>
    public List<XsServerWatch> Watches { get; } = [];

    public Dictionary<uint, XsServerTransaction> Transactions { get; } = [];

    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    public Task Completion { get; private set; } = Task.CompletedTask;

    public void Start() => Completion = Task.WhenAll(Task.Run(ReadLoopAsync), Task.Run(WriteLoopAsync));

    /// <summary>Queues a reply or an event. A peer that lets output pile up past the bound is cut off.</summary>
    public void Send(XsMessage message, bool isReply)
    {
        if (Interlocked.Increment(ref _queued) > Limits.XenStoredQueuedOutputMax)
        {
            Kill($"more than {Limits.XenStoredQueuedOutputMax} replies and events queued unread");
            return;
        }

        _output.Writer.TryWrite((message.Encode(), isReply));
    }

    /// <summary>Ends the connection once; the server forgets its watches and transactions.</summary>
    /// <param name="reason">Why, for the log; null for an orderly end of stream.</param>
    public void Kill(string? reason)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        _server.OnConnectionClosed(this, reason);
        _output.Writer.TryComplete();
        _closing.Cancel();
        _stream.Dispose();
    }

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[XsHeader.Size + Limits.XenStorePayloadMax];
        var filled = 0;
        string? reason = null;
        try
        {
            while (!_closing.IsCancellationRequested)
            {
                var read = await _stream.ReadAsync(buffer.AsMemory(filled), _closing.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                filled += read;
                var offset = 0;
                while (XsMessageReader.TryRead(buffer.AsSpan(offset, filled - offset), out var message, out var consumed))
                {
                    offset += consumed;
                    // The outstanding-request quota: stop reading until replies have been written.
                    await _outstanding.WaitAsync(_closing.Token).ConfigureAwait(false);
                    _server.Process(this, message!);
                }

                buffer.AsSpan(offset, filled - offset).CopyTo(buffer);
                filled -= offset;
            }
        }
        catch (XenStoreProtocolException ex)
        {
            reason = ex.Message;
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException)
        {
            reason = ex.Message;
        }
        catch (Exception ex)
        {
            // A bug of ours must cost this connection only, never the server.
            reason = "internal error: " + ex;
        }

        Kill(reason);
    }

    private async Task WriteLoopAsync()
    {
        try
        {
            await foreach (var (bytes, isReply) in _output.Reader.ReadAllAsync(_closing.Token).ConfigureAwait(false))
            {
                Interlocked.Decrement(ref _queued);
                await _stream.WriteAsync(bytes, _closing.Token).ConfigureAwait(false);
                if (isReply)
                {
                    _outstanding.Release();
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException or NotSupportedException)
        {
            Kill(ex.Message);
        }
    }
}
