using System.Collections.Concurrent;
using GuestAgentKit.Channels;
using GuestAgentKit.Protocol;

namespace GuestAgentKit.Tests.Protocol;

/// <summary>A real agent loop on the guest end of a socket pair, recording its events.</summary>
internal sealed class AgentHarness : IAsyncDisposable
{
    public static readonly ChannelName Name = ChannelName.Parse("org.guestagentkit.agent.1");

    private readonly CancellationTokenSource _stop = new();

    public AgentHarness(Stream stream, AgentEndpointOptions? options = null)
    {
        Endpoint = new AgentEndpoint(Name, new AgentIdentity("gak-agent", "0.1.0"), options)
            .AddTarget<ITestService>("test", new TestService());
        Endpoint.SessionEvent += (_, e) => Events.Enqueue(e);
        Run = Endpoint.RunAsync(stream, _stop.Token);
    }

    public AgentEndpoint Endpoint { get; }

    public Task Run { get; }

    public ConcurrentQueue<AgentSessionEventArgs> Events { get; } = new();

    public IEnumerable<AgentSessionEventKind> Kinds => Events.Select(e => e.Kind);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await Run.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }
}
