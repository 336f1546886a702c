using System.Text.Json.Serialization.Metadata;
using GuestAgentKit.Guest.Transport;
using GuestAgentKit.Protocol;
using GuestAgentKit.XenStore;
using Microsoft.Extensions.Logging;

namespace GuestAgentKit.Guest.Agent;

/// <summary>
/// The agent's serving loop, with or without Microsoft.Extensions.Hosting around it: open the channel (the configured
/// device, or the one discovery finds by name), serve sessions until the tty hangs up, reopen with backoff, until
/// cancelled. <see cref="AgentService"/> runs it as a hosted service (plugin hosts, DI); <see cref="AgentHost.RunAsync"/>
/// runs it alone (<c>gak-agent run</c>).
/// </summary>
internal sealed partial class AgentRunner
{
    private readonly AgentOptions _options;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    /// <summary>Creates the endpoint with the built-in methods (<c>agent.ping</c>, <c>agent.info</c>); add plugins to
    /// <see cref="Endpoint"/> before <see cref="RunAsync"/>.</summary>
    public AgentRunner(AgentOptions options, AgentIdentity identity, IEnumerable<IJsonTypeInfoResolver> resolvers, ILoggerFactory loggers, TimeProvider time)
    {
        _options = options;
        _loggers = loggers;
        _logger = loggers.CreateLogger("GuestAgentKit.Agent");
        _time = time;
        var endpointOptions = new AgentEndpointOptions
        {
            MaxLineBytes = options.MaxLineBytes,
            JsonTypeInfoResolver = JsonTypeInfoResolver.Combine([AgentJsonContext.Default, .. resolvers]),
        };
        AgentEndpoint endpoint = null!;
        endpoint = new AgentEndpoint(options.Channel, identity, endpointOptions)
            .AddTarget<IAgentInfo>(AgentHost.BuiltinPrefix, new AgentInfoService(() => endpoint, endpointOptions.ProtocolVersions, time));
        endpoint.SessionEvent += OnSessionEvent;
        Endpoint = endpoint;
    }

    /// <summary>The endpoint served.</summary>
    public AgentEndpoint Endpoint { get; }

    /// <summary>Serves until <paramref name="cancellationToken"/> is cancelled (exit code 0) or a fatal fault - an
    /// unusable configuration, an unreachable xenstore - which is logged at Critical (exit code 1).</summary>
    /// <returns>The process exit code.</returns>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await ServeAsync(cancellationToken).ConfigureAwait(false);
            return 0; // not reached: ServeAsync only ends by throwing
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            LogStopped();
            return 0;
        }
#pragma warning disable CA1031 // Any fault is fatal to the agent: report it and exit non-zero.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogFatal(ex.Message, ex);
            return 1;
        }
    }

    /// <summary>
    /// Starting (configuration, logging, DI, serialization metadata) leaves a few MiB of garbage in the GC's first
    /// regions, and an idle agent allocates too little for the GC ever to run and hand them back: collect once,
    /// aggressively (which also decommits the freed regions), when the agent has started (docs/performance.md, B4).
    /// </summary>
    public static void ReleaseStartupGarbage() =>
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);

    private async Task ServeAsync(CancellationToken cancellationToken)
    {
        var transport = CreateTransport();
        try
        {
            var channel = new ReopeningChannel(transport, _options.Reopen, _time, _loggers.CreateLogger<ReopeningChannel>());
            LogStarting(Endpoint.Identity.Name, Endpoint.Channel.Value, transport.Description, string.Join(", ", Endpoint.Methods));
            while (true)
            {
                var stream = await channel.OpenAsync(cancellationToken).ConfigureAwait(false);
                await using (stream.ConfigureAwait(false))
                {
                    LogOpened(transport.Description);
                    await Endpoint.RunAsync(stream, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            if (transport is IAsyncDisposable disposable)
            {
                await disposable.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private IChannelTransport CreateTransport()
    {
        if (_options.Device is { } device)
        {
            return OpenDevice(device);
        }

        var xenbus = _options.Xenbus is { } path ? XenStoreEndpoint.FromPath(path) : XenStoreEndpoint.GuestDefault();
        return new DiscoveringTransport(_options.Channel, xenbus, _options.DeviceDirectory, OpenDevice, _logger);
    }

    private IChannelTransport OpenDevice(string device) =>
        AgentOptions.IsSerialPort(device)
            ? new SerialPortTransport(device, SerialLineSettings.Default with { BaudRate = _options.BaudRate })
            : new HvcTransport(device);

    private void OnSessionEvent(object? sender, AgentSessionEventArgs e)
    {
        if (e.Kind is AgentSessionEventKind.SessionStarted or AgentSessionEventKind.SessionEnded)
        {
            LogSession(e.Kind, e.Message);
        }
        else
        {
            LogSessionProblem(e.Kind, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Agent} serving channel {Channel} on {Transport}; methods: {Methods}")]
    private partial void LogStarting(string agent, string channel, string transport, string methods);

    [LoggerMessage(Level = LogLevel.Information, Message = "Opened {Transport}; waiting for dom0's hello")]
    private partial void LogOpened(string transport);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Kind}: {Message}")]
    private partial void LogSession(AgentSessionEventKind kind, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Kind}: {Message}")]
    private partial void LogSessionProblem(AgentSessionEventKind kind, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "Agent stopped")]
    private partial void LogStopped();

    [LoggerMessage(Level = LogLevel.Critical, Message = "The agent cannot go on: {Reason}")]
    private partial void LogFatal(string reason, Exception exception);
}
