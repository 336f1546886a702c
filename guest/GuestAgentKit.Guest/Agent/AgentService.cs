using GuestAgentKit.Protocol;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GuestAgentKit.Guest.Agent;

/// <summary>
/// <see cref="AgentRunner"/> as a hosted service, with the plugins registered through DI. A fatal fault stops the host
/// with exit code 1: a faulted <see cref="BackgroundService"/> alone would exit 0 and systemd's
/// <c>Restart=on-failure</c> would not restart it.
/// </summary>
internal sealed class AgentService : BackgroundService
{
    private readonly AgentRunner _runner;
    private readonly IHostApplicationLifetime _lifetime;

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
        _lifetime = lifetime;
        _runner = new AgentRunner(options, identity, resolvers.Select(r => r.Resolver), loggers, time);
        notifier.Attach(_runner.Endpoint);
        foreach (var plugin in plugins)
        {
            plugin.Register(_runner.Endpoint, services);
        }
    }

    /// <summary>The endpoint served, with every plugin registered.</summary>
    public AgentEndpoint Endpoint => _runner.Endpoint;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (await _runner.RunAsync(stoppingToken).ConfigureAwait(false) != 0)
        {
            Environment.ExitCode = 1;
            _lifetime.StopApplication();
        }
    }
}
