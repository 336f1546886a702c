using System.Net.Sockets;
using GuestAgentKit.Host.Backend;
using GuestAgentKit.Host.Provisioning;
using GuestAgentKit.Tests.Host;
using GuestAgentKit.Xen;
using GuestAgentKit.Xen.Rings;

namespace GuestAgentKit.Tests.Fuzz;

/// <summary>
/// One life of a hostile channel served by the backend: a provisioned socket channel, a
/// <see cref="HostileConsoleFrontend"/> on its live page, and a dom0 client on its socket that reads
/// everything and keeps writing random bytes until the backend closes the connection.
/// </summary>
internal sealed class HostileBackendChannel : IAsyncDisposable
{
    private readonly TestFrontend _frontend;
    private readonly Socket _client;
    private readonly CancellationTokenSource _stop;
    private bool _disposed;

    private HostileBackendChannel(ChannelInfo info, string socketPath, TestFrontend frontend, Socket client, Random random)
    {
        Info = info;
        SocketPath = socketPath;
        _frontend = frontend;
        _client = client;
        Hostile = new HostileConsoleFrontend(frontend.Page.Page, frontend.Events, random);
        _stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var seed = random.Next();
        Client = Task.Run(() => PumpAsync(client, new Random(seed), _stop.Token), _stop.Token);
    }

    public ChannelInfo Info { get; }

    public ChannelKey Key => new(Info.Domain, Info.Devid);

    public string SocketPath { get; }

    public HostileConsoleFrontend Hostile { get; }

    /// <summary>The dom0 client: completes with the bytes it read once the backend closed the connection (or on disposal).</summary>
    public Task<long> Client { get; }

    /// <summary>Provisions the channel, plays its frontend until the backend serves it (state 4) and connects the dom0 client.</summary>
    public static async Task<HostileBackendChannel> OpenAsync(BackendHarness h, DomainId domain, string name, Random random)
    {
        var ct = TestContext.Current.CancellationToken;
        var (info, socketPath) = await h.AddSocketChannelAsync(domain, name);
        var frontend = await TestFrontend.ConnectAsync(h.Xs, h.Root, info.Domain, info.Devid, ct).WaitAsync(BackendHarness.Timeout, ct);
        try
        {
            await h.WaitForValueAsync(info.BackendPath + "/state", "4");
            var client = await BackendHarness.ConnectClientAsync(socketPath);
            return new HostileBackendChannel(info, socketPath, frontend, client, random);
        }
        catch
        {
            await frontend.DisposeAsync();
            throw;
        }
    }

    /// <summary>Makes the ring indices certainly invalid (<c>out_prod - out_cons</c> far beyond the ring) and tells the backend.</summary>
    public void BreakRing()
    {
        var page = _frontend.Page.Page;
        page.WriteUInt32Volatile(XenConsInterface.OutConsOffset, 0x10);
        page.WriteUInt32Volatile(XenConsInterface.OutProdOffset, 0xDEAD_BEEF);
        _frontend.Events.Notify();
    }

    public async ValueTask DisposeAsync()
    {
        // Idempotent: a test that fails while replacing a channel disposes the old one again in its finally.
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _stop.CancelAsync();
        try
        {
            await Client.WaitAsync(BackendHarness.Timeout, TestContext.Current.CancellationToken);
        }
        finally
        {
            _client.Dispose();
            await _frontend.DisposeAsync();
            _stop.Dispose();
        }
    }

    private static async Task<long> PumpAsync(Socket client, Random random, CancellationToken ct)
    {
        using var stopWriting = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var writing = WriteAsync(client, random, stopWriting.Token);
        var read = await ReadAsync(client, ct).ConfigureAwait(false);
        await stopWriting.CancelAsync().ConfigureAwait(false);
        await writing.ConfigureAwait(false);
        return read;
    }

    private static async Task<long> ReadAsync(Socket client, CancellationToken ct)
    {
        var buffer = new byte[4096];
        long total = 0;
        try
        {
            int n;
            while ((n = await client.ReceiveAsync(buffer, ct).ConfigureAwait(false)) > 0)
            {
                total += n;
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            // Reset by the backend closing the channel, or the test ending.
        }

        return total;
    }

    private static async Task WriteAsync(Socket client, Random random, CancellationToken ct)
    {
        var chunk = new byte[256];
        try
        {
            while (true)
            {
                random.NextBytes(chunk);
                await client.SendAsync(chunk.AsMemory(0, random.Next(1, chunk.Length + 1)), ct).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            // The backend closed the connection (EPIPE/ECONNRESET), or the test ended.
        }
    }
}
