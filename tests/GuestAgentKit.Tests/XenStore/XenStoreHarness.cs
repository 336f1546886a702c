using System.Net.Sockets;
using GuestAgentKit.Loopback.XenStored;
using GuestAgentKit.Xen;
using GuestAgentKit.XenStore;

namespace GuestAgentKit.Tests.XenStore;

/// <summary>An embedded xenstored on a real Unix socket in a temp directory, plus helpers to make dom0 and
/// domain connections.</summary>
internal sealed class XenStoreHarness : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly List<IAsyncDisposable> _owned = [];

    private XenStoreHarness(string directory, EmbeddedXenStored server)
    {
        Directory = directory;
        Server = server;
    }

    public string Directory { get; }

    public EmbeddedXenStored Server { get; }

    public string SocketPath => Path.Combine(Directory, "xenstored", "socket");

    public static async Task<XenStoreHarness> StartAsync(EmbeddedXenStoredOptions? options = null)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("gak-xs-").FullName;
        var server = new EmbeddedXenStored(options);
        var harness = new XenStoreHarness(directory, server);
        await server.StartAsync(harness.SocketPath, TestContext.Current.CancellationToken);
        return harness;
    }

    public async Task<XenStoreClient> ConnectDom0Async()
    {
        var client = await XenStoreClient.ConnectAsync(XenStoreEndpoint.FromPath(SocketPath), TestContext.Current.CancellationToken).WaitAsync(Timeout, Ct);
        _owned.Add(client);
        return client;
    }

    /// <summary>A domain's connection over a socket pair, the server end attached with AttachConnection.</summary>
    public async Task<XenStoreClient> ConnectDomainAsync(ushort domain)
    {
        var (serverEnd, clientEnd) = await CreateSocketPairAsync();
        Server.AttachConnection(serverEnd, new DomainId(domain));
        var client = XenStoreClient.Create(clientEnd);
        _owned.Add(client);
        return client;
    }

    public async Task<(Stream A, Stream B)> CreateSocketPairAsync()
    {
        var path = Path.Combine(Directory, "pair-" + Guid.NewGuid().ToString("N")[..8]);
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        var connecting = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        var accept = listener.AcceptAsync(Ct).AsTask();
        await connecting.ConnectAsync(new UnixDomainSocketEndPoint(path), Ct).AsTask().WaitAsync(Timeout, Ct);
        var accepted = await accept.WaitAsync(Timeout, Ct);
        File.Delete(path);
        return (new NetworkStream(accepted, ownsSocket: true), new NetworkStream(connecting, ownsSocket: true));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync().AsTask().WaitAsync(Timeout);
        }

        await Server.DisposeAsync().AsTask().WaitAsync(Timeout, Ct);
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
