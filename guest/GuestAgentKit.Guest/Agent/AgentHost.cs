using System.Reflection;
using System.Runtime.InteropServices;
using GuestAgentKit.Protocol;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace GuestAgentKit.Guest.Agent;

/// <summary>
/// Entry points of a guest agent: <see cref="RunAsync"/> serves the built-in methods alone (what <c>gak-agent run</c>
/// does); a program with plugins hosts its own on Microsoft.Extensions.Hosting:
/// <code>
/// var builder = AgentHost.CreateBuilder(args);           // --channel, --device, --xenbus, --device-dir, --config
/// builder.AddPlugin&lt;IConfigApplier, ConfigApplier&gt;("config");  // serves config.apply, ...
/// await builder.Build().RunAsync();                       // until SIGTERM; exit code 1 on a fatal fault
/// </code>
/// </summary>
public static class AgentHost
{
    /// <summary>The configuration section of <see cref="AgentOptions"/>.</summary>
    public const string ConfigurationSection = "Agent";

    /// <summary>The prefix of the built-in methods (<c>agent.ping</c>, <c>agent.info</c>).</summary>
    public const string BuiltinPrefix = "agent";

    /// <summary>Environment variables with this prefix are configuration (<c>GAK_AGENT__CHANNEL</c> is <c>Agent:Channel</c>).</summary>
    public const string EnvironmentPrefix = "GAK_";

    /// <summary>Command-line switches and the configuration keys they set.</summary>
    public static IReadOnlyDictionary<string, string> SwitchMappings { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["--channel"] = ConfigurationSection + ":Channel",
        ["--device"] = ConfigurationSection + ":Device",
        ["--xenbus"] = ConfigurationSection + ":Xenbus",
        ["--device-dir"] = ConfigurationSection + ":DeviceDirectory",
    };

    /// <summary>Creates a builder: configuration from the JSON file (<c>--config FILE</c>, which must exist, else the
    /// optional <see cref="Limits.AgentConfigFile"/>), then <c>GAK_AGENT__*</c> environment variables, then the
    /// switches of <see cref="SwitchMappings"/> in <paramref name="args"/> (later sources win); console logging
    /// (journald format under systemd); systemd integration.</summary>
    /// <param name="args">Command-line arguments (switches as <c>--channel NAME</c> or <c>--channel=NAME</c>).</param>
    /// <returns>The builder.</returns>
    /// <exception cref="AgentConfigurationException">The named configuration file does not exist.</exception>
    public static AgentHostBuilder CreateBuilder(string[]? args) => new(args ?? []);

    /// <summary>Reads <see cref="AgentOptions"/> from the same sources as the host (for tools such as the udev helper).</summary>
    /// <param name="configFile">A JSON file that must exist, or null for the optional <see cref="Limits.AgentConfigFile"/>.</param>
    /// <returns>The options.</returns>
    /// <exception cref="AgentConfigurationException">The file is missing or a value is malformed.</exception>
    public static AgentOptions LoadOptions(string? configFile) => AgentOptions.FromConfiguration(LoadConfiguration(configFile, []));

    /// <summary>
    /// Runs an agent that serves the built-in methods only (<c>agent.ping</c>, <c>agent.info</c>) until
    /// <paramref name="cancellationToken"/> is cancelled, from the same configuration sources and with the same logging as
    /// <see cref="CreateBuilder"/>, but without Microsoft.Extensions.Hosting and DI: a NativeAOT <c>gak-agent</c> starts
    /// faster and holds less memory this way (docs/dependencies.md). Plugins need <see cref="CreateBuilder"/>.
    /// </summary>
    /// <param name="args">The switches of <see cref="SwitchMappings"/> and <c>--config FILE</c>.</param>
    /// <param name="cancellationToken">Stops the agent (SIGTERM, Ctrl-C).</param>
    /// <returns>The exit code: 0 when stopped, 1 after a fatal fault (logged at Critical).</returns>
    /// <exception cref="AgentConfigurationException">The configuration file is missing or a value is malformed.</exception>
    public static async Task<int> RunAsync(string[]? args, CancellationToken cancellationToken)
    {
        var (configFile, switches) = AgentConfiguration.SplitConfigSwitch(args ?? []);
        var configuration = LoadConfiguration(configFile, switches);
        var options = AgentOptions.FromConfiguration(configuration);
        using var loggers = LoggerFactory.Create(logging => logging
            .AddConfiguration(configuration.GetSection("Logging"))
            .AddProvider(new StderrLoggerProvider(Console.Error, SystemdHelpers.IsSystemdService())));
        var runner = new AgentRunner(options, DefaultIdentity(), [], loggers, TimeProvider.System);

        // SIGTERM (systemd's stop) and SIGINT end the agent cleanly with exit code 0, as the hosted agent's lifetime does;
        // without a handler the runtime would terminate the process on SIGTERM.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        void Stop(PosixSignalContext signal)
        {
            signal.Cancel = true;
            stop.Cancel();
        }

        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        AgentRunner.ReleaseStartupGarbage();
        return await runner.RunAsync(stop.Token).ConfigureAwait(false);
    }

    private static IConfigurationRoot LoadConfiguration(string? configFile, string[] switches)
    {
        try
        {
            return new ConfigurationBuilder().AddAgentSources(configFile, switches).Build();
        }
        catch (InvalidDataException ex)
        {
            throw new AgentConfigurationException($"configuration file {configFile ?? Limits.AgentConfigFile}: {ex.Message}", ex);
        }
    }

    /// <summary>The identity reported in the welcome unless one is registered: the entry program's name and version.</summary>
    /// <returns>The identity.</returns>
    public static AgentIdentity DefaultIdentity()
    {
        var assembly = Assembly.GetEntryAssembly() ?? typeof(AgentHost).Assembly;
        var name = assembly.GetName().Name ?? "gak-agent";
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString() ?? "0.0.0";
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return new AgentIdentity(name, plus < 0 ? version : version[..plus]);
    }
}
