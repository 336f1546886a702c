namespace GuestAgentKit.Samples.FirstBoot.Plugin;

/// <summary>Names of the first-boot plugin on the wire.</summary>
public static class FirstBootMethods
{
    /// <summary>The prefix the plugin is registered under.</summary>
    public const string Prefix = "config";

    /// <summary>Validates and applies a configuration.</summary>
    public const string Apply = Prefix + ".apply";

    /// <summary>Validates a configuration without applying it.</summary>
    public const string Validate = Prefix + ".validate";

    /// <summary>The name of the single parameter of both methods.</summary>
    public const string ConfigParameter = "config";
}
