using System.Net.Sockets;

namespace GuestAgentKit.Tests.Protocol;

/// <summary>Two connected Unix stream sockets (what a backend socket and its client look like).</summary>
internal sealed class SocketPair : IAsyncDisposable
{
    private readonly string _directory;

    private SocketPair(string directory, NetworkStream host, NetworkStream guest)
    {
        _directory = directory;
        Host = host;
        Guest = guest;
    }

    /// <summary>dom0's end.</summary>
    public NetworkStream Host { get; }

    /// <summary>The agent's end.</summary>
    public NetworkStream Guest { get; }

    public static async Task<SocketPair> CreateAsync()
    {
        var directory = Directory.CreateTempSubdirectory("gak-proto-").FullName;
        var endPoint = new UnixDomainSocketEndPoint(Path.Combine(directory, "s"));
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(endPoint);
        listener.Listen(1);
        var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        var accept = listener.AcceptAsync(TestContext.Current.CancellationToken).AsTask();
        await client.ConnectAsync(endPoint, TestContext.Current.CancellationToken);
        var server = await accept.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        return new SocketPair(directory, new NetworkStream(client, ownsSocket: true), new NetworkStream(server, ownsSocket: true));
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await Guest.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
