using System.Net.Sockets;
using GuestAgentKit.Channels;
using GuestAgentKit.Protocol;

namespace GuestAgentKit.EndToEnd.Tests.Agent;

/// <summary>A channel socket served by an in-test <see cref="AgentEndpoint"/> with <c>test.echo</c>, or by a silent
/// peer that accepts and never answers (a guest without an agent).</summary>
internal sealed class SocketAgent : IAsyncDisposable
{
    private readonly Socket _listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _accepted = [];
    private readonly Task _loop;

    public SocketAgent(string socketPath, bool silent = false)
    {
        SocketPath = socketPath;
        _listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        _listener.Listen(8);
        _loop = AcceptAsync(silent);
    }

    public string SocketPath { get; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        lock (_accepted)
        {
            _accepted.ForEach(s => s.Dispose());
        }

        await _loop.WaitAsync(TimeSpan.FromSeconds(10));
        _stop.Dispose();
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
                    sessions.Add(ServeAsync(socket));
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        await Task.WhenAll(sessions);
    }

    private async Task ServeAsync(Socket socket)
    {
        var agent = new AgentEndpoint(WellKnownChannels.Agent.Name, new AgentIdentity("e2e-agent", "1.2.3"))
            .AddTarget<IEchoPlugin>("test", new Echo());
        try
        {
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            await agent.RunAsync(stream, _stop.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private sealed class Echo : IEchoPlugin
    {
        public Task<string> EchoAsync(string text) => Task.FromResult(text);
    }
}
