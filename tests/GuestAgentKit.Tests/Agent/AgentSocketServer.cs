using System.Net.Sockets;
using GuestAgentKit.Channels;
using GuestAgentKit.Protocol;
using GuestAgentKit.Tests.Protocol;

namespace GuestAgentKit.Tests.Agent;

/// <summary>A channel socket whose far end is an <see cref="AgentEndpoint"/> (what the backend + a guest agent look
/// like to dom0), or a listener that accepts and stays silent (no agent in the guest).</summary>
internal sealed class AgentSocketServer : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _accepted = [];
    private readonly List<AgentEndpoint> _agents = [];
    private readonly Task _loop;

    private AgentSocketServer(string directory, bool silent)
    {
        Directory = directory;
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
        _listener.Listen(8);
        _loop = AcceptAsync(silent);
    }

    public string Directory { get; }

    public string SocketPath => Path.Combine(Directory, "channel.sock");

    /// <summary>The agent serving the most recent connection (to send notifications from).</summary>
    public AgentEndpoint LatestAgent
    {
        get
        {
            lock (_agents)
            {
                return _agents[^1];
            }
        }
    }

    public static AgentSocketServer Start(bool silent = false) =>
        new(System.IO.Directory.CreateTempSubdirectory("gak-client-").FullName, silent);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        lock (_accepted)
        {
            _accepted.ForEach(s => s.Dispose());
        }

        await _loop.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        _stop.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    private async Task AcceptAsync(bool silent)
    {
        var sessions = new List<Task>();
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptAsync(_stop.Token);
                lock (_accepted)
                {
                    _accepted.Add(socket);
                }

                if (!silent)
                {
                    var agent = new AgentEndpoint(WellKnownChannels.Agent.Name, new AgentIdentity("test-agent", "9.9"))
                        .AddTarget<ITestService>("test", new TestService());
                    lock (_agents)
                    {
                        _agents.Add(agent);
                    }

                    sessions.Add(ServeAsync(agent, socket));
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        await Task.WhenAll(sessions);
    }

    private async Task ServeAsync(AgentEndpoint agent, Socket socket)
    {
        try
        {
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            await agent.RunAsync(stream, _stop.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
        {
        }
    }
}
