using GuestAgentKit.Loopback;
using GuestAgentKit.XenStore;

namespace GuestAgentKit.Tests.Loopback;

/// <summary>A loopback Xen on a fresh root (removed on dispose) with a dom0 xenstore client.</summary>
internal sealed class LoopbackTestXen : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private LoopbackTestXen(LoopbackXen xen, XenStoreClient dom0)
    {
        Xen = xen;
        Dom0 = dom0;
    }

    public LoopbackXen Xen { get; }

    public XenStoreClient Dom0 { get; }

    public string Root => Xen.Root;

    public static async Task<LoopbackTestXen> StartAsync()
    {
        var root = Path.Combine(Path.GetTempPath(), "gak-lb-" + Guid.NewGuid().ToString("N")[..12]);
        var xen = await LoopbackXen.StartAsync(root).WaitAsync(Timeout);
        var dom0 = await XenStoreClient.ConnectAsync(XenStoreEndpoint.FromPath(xen.XenStoreSocketPath)).WaitAsync(Timeout);
        return new LoopbackTestXen(xen, dom0);
    }

    /// <summary>Waits until <paramref name="path"/> reads <paramref name="expected"/>, driven by a watch.</summary>
    public static async Task WaitForValueAsync(XenStoreClient xs, string path, string? expected)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var watch = await xs.WatchAsync(path, token: null, timeout.Token);
        await using (watch)
        {
            await foreach (var unused in watch.WithCancellation(timeout.Token))
            {
                if (await xs.ReadAsync(path, timeout.Token) == expected)
                {
                    return;
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Dom0.DisposeAsync();
        await Xen.DisposeAsync().AsTask().WaitAsync(Timeout);
    }
}
