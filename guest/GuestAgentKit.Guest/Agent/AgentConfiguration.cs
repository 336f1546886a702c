using Microsoft.Extensions.Configuration;

namespace GuestAgentKit.Guest.Agent;

/// <summary>The agent's configuration sources, in the order they override each other (docs/guest.md).</summary>
internal static class AgentConfiguration
{
    /// <summary>Adds the JSON file (<paramref name="configFile"/>, which must exist, else the optional
    /// <see cref="Limits.AgentConfigFile"/>), <c>GAK_*</c> environment variables and the command-line switches.</summary>
    public static IConfigurationBuilder AddAgentSources(this IConfigurationBuilder builder, string? configFile, string[] args)
    {
        if (configFile is not null && !File.Exists(configFile))
        {
            throw new AgentConfigurationException($"configuration file {configFile} does not exist");
        }

        return builder
            .AddJsonFile(Path.GetFullPath(configFile ?? Limits.AgentConfigFile), optional: configFile is null, reloadOnChange: false)
            .AddEnvironmentVariables(AgentHost.EnvironmentPrefix)
            .AddCommandLine(args, new Dictionary<string, string>(AgentHost.SwitchMappings));
    }
}
