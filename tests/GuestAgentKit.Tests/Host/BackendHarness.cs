using System.Net.Sockets;
using GuestAgentKit.Channels.Xl;
using GuestAgentKit.Host.Backend;
using GuestAgentKit.Host.Provisioning;
using GuestAgentKit.Posix;
using GuestAgentKit.Tests.XenStore;
using GuestAgentKit.Xen;
using GuestAgentKit.Xen.Platform.Loopback;
using GuestAgentKit.XenStore;

namespace GuestAgentKit.Tests.Host;

/// <summary>An embedded xenstored whose directory is also a loopback root, a running <see cref="ChannelBackend"/>
/// on the loopback platform, and helpers to provision channels and play their frontends.</summary>
internal sealed class BackendHarness : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    private readonly CancellationTokenSource _stop = new();
    private readonly List<IAsyncDisposable> _owned = [];
    private Task _run = Task.CompletedTask;

    private BackendHarness(XenStoreHarness store, XenStoreClient xs, LoopbackPlatform platform)
    {
        Store = store;
        Xs = xs;
        Platform = platform;
    }

    public XenStoreHarness Store { get; }

    public XenStoreClient Xs { get; }

    public LoopbackPlatform Platform { get; }

    public ChannelBackend Backend { get; private set; } = null!;

    /// <summary>The backend's logger: subscribe to <see cref="TestLogger.Logged"/> to count its messages.</summary>
    public TestLogger Log { get; } = new();

    /// <summary>The backend's run task: completed before disposal only if the backend stopped or faulted.</summary>
    public Task Running => _run;

    public string Root => Store.Directory;

    public string Sockets => Path.Combine(Root, "sock");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<BackendHarness> StartAsync(BackendOptions? options = null, bool startBackend = true)
    {
        var store = await XenStoreHarness.StartAsync();
        var xs = await store.ConnectDom0Async();
        new LoopbackDomain(store.Directory, DomainId.Dom0).WriteMarker(new LoopbackDomainInfo("Domain-0", Guid.Empty));
        Directory.CreateDirectory(Path.Combine(store.Directory, "sock"));
        var harness = new BackendHarness(store, xs, new LoopbackPlatform(store.Directory, DomainId.Dom0));
        if (startBackend)
        {
            harness.StartBackend(options ?? new BackendOptions());
        }

        return harness;
    }

    public void StartBackend(BackendOptions options)
    {
        Backend = new ChannelBackend(Xs, Platform, options, Log);
        _run = Task.Run(() => Backend.RunAsync(_stop.Token), Ct);
    }

    public async Task<DomainId> CreateDomainAsync(ushort id)
    {
        await ProvisioningTests.CreateDomainAsync(Xs, id, "vm" + id);
        new LoopbackDomain(Root, new DomainId(id)).WriteMarker(new LoopbackDomainInfo("vm" + id, Guid.NewGuid()));
        return new DomainId(id);
    }

    public async Task<(ChannelInfo Info, string Socket)> AddSocketChannelAsync(DomainId domain, string name)
    {
        var socket = Path.Combine(Sockets, $"{domain}-{name}");
        var info = await new ChannelProvisioner(Xs).AddAsync(domain, XlChannelSpec.Parse($"connection=socket, name={name}, path={socket}"), Ct).WaitAsync(Timeout, Ct);
        return (info, socket);
    }

    public async Task<TestFrontend> ConnectFrontendAsync(ChannelInfo info)
    {
        var frontend = await TestFrontend.ConnectAsync(Xs, Root, info.Domain, info.Devid, Ct).WaitAsync(Timeout, Ct);
        _owned.Add(frontend);
        return frontend;
    }

    /// <summary>Waits (on a watch, not a sleep) until <paramref name="path"/> reads <paramref name="value"/>.</summary>
    public async Task WaitForValueAsync(string path, string? value)
    {
        await using var watch = await Xs.WatchAsync(path, cancellationToken: Ct);
        await using var events = watch.GetAsyncEnumerator(Ct);
        while (await Xs.ReadAsync(path, Ct) != value)
        {
            Assert.True(await events.MoveNextAsync().AsTask().WaitAsync(Timeout, Ct), $"watch on {path} ended");
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds after a backend pass.</summary>
    public async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var passed = new SemaphoreSlim(0);
        void OnPass(object? sender, EventArgs e) => passed.Release();
        Backend.Reconciled += OnPass;
        try
        {
            while (!condition())
            {
                Assert.True(await passed.WaitAsync(Timeout, Ct), $"timed out waiting until {what}");
            }
        }
        finally
        {
            Backend.Reconciled -= OnPass;
        }
    }

    public static Task<Socket> ConnectClientAsync(string path) => UnixSocket.ConnectAsync(path, Ct).WaitAsync(Timeout, Ct);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _run.WaitAsync(Timeout, Ct);
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync();
        }

        Platform.Dispose();
        await Store.DisposeAsync();
        _stop.Dispose();
    }
}
