using System.Reflection;
using GuestAgentKit.Protocol;
using Microsoft.Extensions.Configuration;

namespace GuestAgentKit.Guest.Agent;

/// <summary>
/// Entry point for hosting a guest agent (what <c>gak-agent run</c> does; samples host their own with extra plugins):
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
    public static AgentOptions LoadOptions(string? configFile)
    {
        try
        {
            return AgentOptions.FromConfiguration(new ConfigurationBuilder().AddAgentSources(configFile, []).Build());
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
