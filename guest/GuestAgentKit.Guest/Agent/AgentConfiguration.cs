using Microsoft.Extensions.Configuration;

namespace GuestAgentKit.Guest.Agent;

/// <summary>The agent's configuration sources, in the order they override each other (docs/guest.md).</summary>
internal static class AgentConfiguration
{
    private const string ConfigSwitch = "--config";

    /// <summary>Takes <c>--config FILE</c> (or <c>--config=FILE</c>) out of <paramref name="args"/>: the file is a source
    /// of its own, the rest are switches.</summary>
    public static (string? ConfigFile, string[] Remaining) SplitConfigSwitch(string[] args)
    {
        string? configFile = null;
        var rest = new List<string>(args.Length);
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == ConfigSwitch && i + 1 < args.Length)
            {
                configFile = args[++i];
            }
            else if (args[i].StartsWith(ConfigSwitch + "=", StringComparison.Ordinal))
            {
                configFile = args[i][(ConfigSwitch.Length + 1)..];
            }
            else
            {
                rest.Add(args[i]);
            }
        }

        return (configFile, [.. rest]);
    }

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
