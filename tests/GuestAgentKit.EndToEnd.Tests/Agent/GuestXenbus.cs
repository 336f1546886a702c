using System.Net.Sockets;
using GuestAgentKit.Loopback.XenStored;
using GuestAgentKit.Xen;
using GuestAgentKit.XenStore;

namespace GuestAgentKit.EndToEnd.Tests.Agent;

/// <summary>An embedded xenstored with dom0's socket and a guest domain's xenbus stand-in (a Unix socket whose
/// connections speak for the domain, as the loopback's <c>R/guests/D/xenbus</c>), and a device directory.</summary>
internal sealed class GuestXenbus : IAsyncDisposable
{
    public const ushort Domain = 5;
    private readonly EmbeddedXenStored _server = new();
    private readonly Socket _listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    private readonly CancellationTokenSource _stop = new();
    private Task _accepting = Task.CompletedTask;

    private GuestXenbus(string directory) => Directory = directory;

    public string Directory { get; }

    public string Dom0Socket => Path.Combine(Directory, "xenstored", "socket");

    public string XenbusPath => Path.Combine(Directory, "guests", "5", "xenbus");

    public string DeviceDirectory => Path.Combine(Directory, "guests", "5");

    public XenStoreClient Dom0 { get; private set; } = null!;

    public static async Task<GuestXenbus> StartAsync()
    {
        var xenbus = new GuestXenbus(System.IO.Directory.CreateTempSubdirectory("gak-e2e-agent-").FullName);
        var ct = TestContext.Current.CancellationToken;
        await xenbus._server.StartAsync(xenbus.Dom0Socket, ct);
        System.IO.Directory.CreateDirectory(xenbus.DeviceDirectory);
        xenbus._listener.Bind(new UnixDomainSocketEndPoint(xenbus.XenbusPath));
        xenbus._listener.Listen(8);
        xenbus._accepting = xenbus.AcceptAsync();
        xenbus.Dom0 = await XenStoreClient.ConnectAsync(XenStoreEndpoint.FromPath(xenbus.Dom0Socket), ct).WaitAsync(TimeSpan.FromSeconds(10), ct);
        await xenbus.Dom0.MkdirAsync($"/local/domain/{Domain}", ct);
        await xenbus.Dom0.SetPermissionsAsync($"/local/domain/{Domain}", [new XsPermission(XsAccess.None, new DomainId(Domain))], ct);
        return xenbus;
    }

    /// <summary>Writes a console's frontend nodes as the toolstack does.</summary>
    public async Task AddConsoleAsync(string devid, string name)
    {
        var ct = TestContext.Current.CancellationToken;
        var dir = $"/local/domain/{Domain}/device/console/{devid}";
        await Dom0.WriteAsync(dir + "/name", name, ct);
        await Dom0.WriteAsync(dir + "/state", "4", ct);
        await Dom0.WriteAsync(dir + "/backend", $"/local/domain/0/backend/console/{Domain}/{devid}", ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _accepting.WaitAsync(TimeSpan.FromSeconds(10));
        await Dom0.DisposeAsync();
        await _server.DisposeAsync();
        _stop.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptAsync(_stop.Token);
                _server.AttachConnection(new NetworkStream(socket, ownsSocket: true), new DomainId(Domain));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }
}
