using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GuestAgentKit.Guest.Agent;

/// <summary>Builds an agent host (see <see cref="AgentHost.CreateBuilder"/>): add plugins and services, then <see cref="Build"/>.</summary>
public sealed class AgentHostBuilder
{
    private readonly HostApplicationBuilder _builder;

    internal AgentHostBuilder(string[] args)
    {
        _builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            // No appsettings.json from the working directory and no unprefixed environment: an agent's
            // configuration comes only from the places documented in docs/guest.md.
            DisableDefaults = true,
            ContentRootPath = AppContext.BaseDirectory,
        });
        var (configFile, rest) = AgentConfiguration.SplitConfigSwitch(args);
        _builder.Configuration.AddAgentSources(configFile, rest);
        _builder.Logging
            .AddConfiguration(_builder.Configuration.GetSection("Logging"))
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        _builder.Services.AddSystemd();
    }

    /// <summary>Services: register plugin dependencies here.</summary>
    public IServiceCollection Services => _builder.Services;

    /// <summary>The configuration (file, environment, command line); add sources before <see cref="Build"/>.</summary>
    public IConfigurationManager Configuration => _builder.Configuration;

    /// <summary>Logging providers and filters.</summary>
    public ILoggingBuilder Logging => _builder.Logging;

    /// <summary>Serves <typeparamref name="TInterface"/> as <c>prefix.*</c>
    /// (<see cref="AgentServiceCollectionExtensions.AddAgentPlugin{TInterface, TImplementation}"/>).</summary>
    /// <typeparam name="TInterface">The served interface.</typeparam>
    /// <typeparam name="TImplementation">Its implementation, created by DI.</typeparam>
    /// <param name="prefix">The method prefix.</param>
    /// <returns>This builder.</returns>
    public AgentHostBuilder AddPlugin<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.All)] TInterface, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TImplementation>(string prefix)
        where TInterface : class
        where TImplementation : class, TInterface
    {
        _builder.Services.AddAgentPlugin<TInterface, TImplementation>(prefix);
        return this;
    }

    /// <summary>Reads <see cref="AgentOptions"/> and builds the host. Every plugin is registered on the endpoint when
    /// the host starts; a bad plugin (prefix, clashing method) fails the start. Registers <see cref="IAgentNotifier"/>
    /// for plugins that send notifications to dom0.</summary>
    /// <returns>The host; <c>RunAsync</c> it.</returns>
    /// <exception cref="AgentConfigurationException">A configuration value is malformed.</exception>
    public IHost Build()
    {
        _builder.Services.TryAddSingleton(AgentOptions.FromConfiguration(_builder.Configuration));
        _builder.Services.TryAddSingleton(AgentHost.DefaultIdentity());
        _builder.Services.TryAddSingleton(TimeProvider.System);
        _builder.Services.TryAddSingleton<AgentNotifier>();
        _builder.Services.TryAddSingleton<IAgentNotifier>(sp => sp.GetRequiredService<AgentNotifier>());
        _builder.Services.AddSingleton<AgentService>();
        _builder.Services.AddHostedService(sp => sp.GetRequiredService<AgentService>());
        var host = _builder.Build();
        host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStarted.Register(AgentRunner.ReleaseStartupGarbage);
        return host;
    }
}
