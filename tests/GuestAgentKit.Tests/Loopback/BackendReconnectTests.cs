using System.Net.Sockets;
using GuestAgentKit.Channels.Xl;
using GuestAgentKit.Host.Backend;
using GuestAgentKit.Host.Provisioning;
using GuestAgentKit.Posix;
using GuestAgentKit.Tests.Host;
using GuestAgentKit.Xen;
using GuestAgentKit.Xen.Platform.Loopback;
using GuestAgentKit.XenStore;

namespace GuestAgentKit.Tests.Loopback;

/// <summary>Our real <see cref="ChannelBackend"/> (in this process) against the guest kernel emulator across a backend
/// that closes a channel and a new backend that serves it again: hvc_xen keeps the tty line, so the same hvcN works.</summary>
public sealed class BackendReconnectTests
{
    private static readonly TimeSpan Timeout = LoopbackTestXen.Timeout;

    [Fact]
    public async Task Channel_BackendClosesThenNewBackendConnects_SameHvcLineCarriesBytesAgain()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var lb = await LoopbackTestXen.StartAsync();
        var entry = await lb.Xen.CreateDomainAsync("web", null, ct).WaitAsync(Timeout, ct);
        var socket = Path.Combine(lb.Root, "web-chan.sock");
        var info = await new ChannelProvisioner(lb.Dom0)
            .AddAsync(entry.Id, XlChannelSpec.Parse($"connection=socket, name=org.example.reconnect.1, path={socket}"), ct)
            .WaitAsync(Timeout, ct);
        var hvc = Path.Combine(entry.GuestDirectory, "hvc1");

        var first = await RunningBackend.StartAsync(lb, ct);
        try
        {
            await LoopbackTestXen.WaitForValueAsync(lb.Dom0, info.FrontendPath + "/state", "4");
            await using var tty = Tty.OpenRaw(hvc);
            await ExchangeAsync(tty, socket, "first", ct);

            // The backend goes away closing the channel (Closing, Closed), as a backend that gives a channel up does.
            await first.DisposeAsync();
            await lb.Dom0.WriteAsync(info.BackendPath + "/state", "5", ct);
            await lb.Dom0.WriteAsync(info.BackendPath + "/state", "6", ct);
            await LoopbackTestXen.WaitForValueAsync(lb.Dom0, info.FrontendPath + "/state", "6");
            Assert.Equal(0, await tty.ReadAsync(new byte[16], ct).AsTask().WaitAsync(Timeout, ct)); // hung up
        }
        finally
        {
            await first.DisposeAsync();
        }

        // A new backend: InitWait, the frontend re-initialises on the SAME hvc line and reconnects.
        await using var second = await RunningBackend.StartAsync(lb, ct);
        await LoopbackTestXen.WaitForValueAsync(lb.Dom0, info.FrontendPath + "/state", "4");
        Assert.Equal(["hvc0", "hvc1"], entry.ConsoleDevices().Select(Path.GetFileName));
        await using var reopened = Tty.OpenRaw(hvc);
        await ExchangeAsync(reopened, socket, "second", ct);
    }

    private static async Task ExchangeAsync(Stream tty, string socketPath, string text, CancellationToken ct)
    {
        using var socket = await UnixSocket.ConnectAsync(socketPath, ct).WaitAsync(Timeout, ct);
        await using var client = new NetworkStream(socket, ownsSocket: false);
        var toGuest = System.Text.Encoding.ASCII.GetBytes("to guest " + text);
        var fromGuest = System.Text.Encoding.ASCII.GetBytes("from guest " + text);

        await client.WriteAsync(toGuest, ct);
        var inGuest = new byte[toGuest.Length];
        await tty.ReadExactlyAsync(inGuest, ct).AsTask().WaitAsync(Timeout, ct);
        Assert.Equal(toGuest, inGuest);

        await tty.WriteAsync(fromGuest, ct);
        var inDom0 = new byte[fromGuest.Length];
        await client.ReadExactlyAsync(inDom0, ct).AsTask().WaitAsync(Timeout, ct);
        Assert.Equal(fromGuest, inDom0);
    }

    /// <summary>A <see cref="ChannelBackend"/> on its own dom0 connection, as a backend process would have.</summary>
    private sealed class RunningBackend : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly XenStoreClient _xs;
        private readonly LoopbackPlatform _platform;
        private readonly ChannelBackend _backend;
        private readonly Task _run;
        private bool _disposed;

        private RunningBackend(XenStoreClient xs, LoopbackPlatform platform)
        {
            _xs = xs;
            _platform = platform;
            _backend = new ChannelBackend(xs, platform, new BackendOptions(), new TestLogger());
            _run = Task.Run(() => _backend.RunAsync(_stop.Token));
        }

        public static async Task<RunningBackend> StartAsync(LoopbackTestXen lb, CancellationToken ct)
        {
            var xs = await XenStoreClient.ConnectAsync(XenStoreEndpoint.FromPath(lb.Xen.XenStoreSocketPath), ct).WaitAsync(Timeout, ct);
            return new RunningBackend(xs, new LoopbackPlatform(lb.Root, DomainId.Dom0));
        }

        public async ValueTask DisposeAsync()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            await _stop.CancelAsync();
            try
            {
                await _run.WaitAsync(Timeout);
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                await _backend.DisposeAsync();
                await _xs.DisposeAsync();
                _platform.Dispose();
                _stop.Dispose();
            }
        }
    }
}
