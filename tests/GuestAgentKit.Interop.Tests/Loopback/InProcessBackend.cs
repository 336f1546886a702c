using GuestAgentKit.Host.Backend;
using GuestAgentKit.Xen.Platform;
using GuestAgentKit.XenStore;

namespace GuestAgentKit.Interop.Tests.Loopback;

/// <summary>Our <see cref="ChannelBackend"/> running in this process on its own dom0 connection; disposing stops it and closes what it owns.</summary>
internal sealed class InProcessBackend : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly XenStoreClient _xenStore;
    private readonly IXenPlatform _platform;
    private readonly ChannelBackend _backend;
    private readonly Task _run;

    private InProcessBackend(XenStoreClient xenStore, IXenPlatform platform)
    {
        _xenStore = xenStore;
        _platform = platform;
        _backend = new ChannelBackend(xenStore, platform, new BackendOptions());
        _run = Task.Run(() => _backend.RunAsync(_stop.Token));
    }

    /// <summary>Starts the backend over <paramref name="platform"/>, taking ownership of both arguments.</summary>
    public static InProcessBackend Start(XenStoreClient xenStore, IXenPlatform platform) => new(xenStore, platform);

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _run.WaitAsync(RealXenLoopback.Timeout);
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            await _backend.DisposeAsync();
            await _xenStore.DisposeAsync();
            _platform.Dispose();
            _stop.Dispose();
        }
    }
}
