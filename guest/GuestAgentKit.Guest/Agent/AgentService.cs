using System.Text.Json.Serialization.Metadata;
using GuestAgentKit.Guest.Transport;
using GuestAgentKit.Protocol;
using GuestAgentKit.XenStore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GuestAgentKit.Guest.Agent;

/// <summary>
/// The agent's service loop: open the channel (the configured device, or the one discovery finds by name),
/// serve sessions until the tty hangs up, reopen with backoff, forever. A fatal fault (unusable configuration,
/// unreachable xenstore) stops the host with exit code 1: a faulted <see cref="BackgroundService"/> alone
/// would exit 0 and systemd's <c>Restart=on-failure</c> would not restart it.
/// </summary>
internal sealed partial class AgentService : BackgroundService
{
    private readonly AgentOptions _options;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    public AgentService(
        AgentOptions options,
        AgentIdentity identity,
        IEnumerable<AgentPluginRegistration> plugins,
        IEnumerable<AgentJsonResolver> resolvers,
        IServiceProvider services,
        IHostApplicationLifetime lifetime,
        ILoggerFactory loggers,
        TimeProvider time,
        AgentNotifier notifier)
    {
        _options = options;
        _lifetime = lifetime;
        _loggers = loggers;
        _logger = loggers.CreateLogger("GuestAgentKit.Agent");
        _time = time;
        var endpointOptions = new AgentEndpointOptions
        {
            MaxLineBytes = options.MaxLineBytes,
            JsonTypeInfoResolver = JsonTypeInfoResolver.Combine([AgentJsonContext.Default, .. resolvers.Select(r => r.Resolver)]),
        };
        AgentEndpoint endpoint = null!;
        endpoint = new AgentEndpoint(options.Channel, identity, endpointOptions)
            .AddTarget<IAgentInfo>(AgentHost.BuiltinPrefix, new AgentInfoService(() => endpoint, endpointOptions.ProtocolVersions, time));
        notifier.Attach(endpoint);
        foreach (var plugin in plugins)
        {
            plugin.Register(endpoint, services);
        }

        endpoint.SessionEvent += OnSessionEvent;
        Endpoint = endpoint;
    }

    /// <summary>The endpoint served, with every plugin registered.</summary>
    public AgentEndpoint Endpoint { get; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await ServeAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            LogStopped();
        }
#pragma warning disable CA1031 // Any fault is fatal to the agent: report it and exit non-zero.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogFatal(ex.Message, ex);
            Environment.ExitCode = 1;
            _lifetime.StopApplication();
        }
    }

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
