using System.Globalization;
using GuestAgentKit.Channels;
using GuestAgentKit.Guest.Discovery;
using GuestAgentKit.Guest.Transport;
using Microsoft.Extensions.Configuration;

namespace GuestAgentKit.Guest.Agent;

/// <summary>
/// What the agent host serves and how, read from the <c>Agent</c> configuration section (JSON file
/// <c>{"Agent":{"Channel":...}}</c>, environment <c>GAK_AGENT__CHANNEL=...</c>, or command line
/// <c>--channel</c>). Values are checked when read, so a typo fails at start with the key named.
/// </summary>
public sealed class AgentOptions
{
    /// <summary>The channel served; default <c>org.guestagentkit.agent.1</c>. Key <c>Agent:Channel</c>.</summary>
    public ChannelName Channel { get; init; } = WellKnownChannels.Agent.Name;

    /// <summary>The tty to serve (<c>/dev/hvc1</c>, or <c>/dev/ttyS*</c> for a serial link); null to discover it
    /// by <see cref="Channel"/> in xenstore. Key <c>Agent:Device</c>.</summary>
    public string? Device { get; init; }

    /// <summary>The guest's xenstore for discovery (<c>/dev/xen/xenbus</c> or the loopback's socket); null for
    /// the guest defaults. Key <c>Agent:Xenbus</c>.</summary>
    public string? Xenbus { get; init; }

    /// <summary>Where discovered ttys live; default <c>/dev</c>. Key <c>Agent:DeviceDirectory</c>.</summary>
    public string DeviceDirectory { get; init; } = ChannelDiscovery.DefaultDeviceDirectory;

    /// <summary>Longest JSON-RPC line accepted from dom0; default 1 MiB. Key <c>Agent:MaxLineBytes</c>.</summary>
    public int MaxLineBytes { get; init; } = Limits.ProtocolLineMaxBytes;

    /// <summary>Reopen pacing after a hang-up. Keys <c>Agent:ReopenInitialDelay</c>, <c>Agent:ReopenMaximumDelay</c>,
    /// <c>Agent:StableSession</c> (TimeSpan text, e.g. <c>00:00:00.2</c>).</summary>
    public ReopenBackoff Reopen { get; init; } = ReopenBackoff.Default;

    /// <summary>Baud rate when <see cref="Device"/> is a serial port (<c>/dev/ttyS*</c>, <c>/dev/ttyUSB*</c>,
    /// <c>/dev/ttyAMA*</c>); default 115200. Key <c>Agent:BaudRate</c>.</summary>
    public int BaudRate { get; init; } = SerialLineSettings.Default.BaudRate;

    /// <summary>Reads the <c>Agent</c> section.</summary>
    /// <param name="configuration">The configuration root.</param>
    /// <returns>The options.</returns>
    /// <exception cref="AgentConfigurationException">A value is malformed (the message names the key).</exception>
    public static AgentOptions FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(AgentHost.ConfigurationSection);
        var defaults = new AgentOptions();
        var channelText = section["Channel"];
        ChannelName channel = defaults.Channel;
        if (!string.IsNullOrEmpty(channelText) && !ChannelName.TryParse(channelText, out channel!, out var error))
        {
            throw new AgentConfigurationException($"{AgentHost.ConfigurationSection}:Channel: {error}");
        }

        return new AgentOptions
        {
            Channel = channel,
            Device = Text(section, "Device"),
            Xenbus = Text(section, "Xenbus"),
            DeviceDirectory = Text(section, "DeviceDirectory") ?? defaults.DeviceDirectory,
            MaxLineBytes = Integer(section, "MaxLineBytes", defaults.MaxLineBytes, 1024, int.MaxValue),
            BaudRate = Integer(section, "BaudRate", defaults.BaudRate, 50, 4_000_000),
            Reopen = Backoff(section),
        };
    }

    /// <summary>Whether <see cref="Device"/> names a serial port rather than an hvc tty.</summary>
    internal static bool IsSerialPort(string device)
    {
        var name = Path.GetFileName(device);
        return name.StartsWith("ttyS", StringComparison.Ordinal) || name.StartsWith("ttyUSB", StringComparison.Ordinal)
            || name.StartsWith("ttyAMA", StringComparison.Ordinal);
    }

    private static ReopenBackoff Backoff(IConfigurationSection section)
    {
        var initial = Duration(section, "ReopenInitialDelay", ReopenBackoff.Default.InitialDelay);
        var maximum = Duration(section, "ReopenMaximumDelay", ReopenBackoff.Default.MaximumDelay);
        var stable = Duration(section, "StableSession", ReopenBackoff.Default.StableSession);
        if (initial <= TimeSpan.Zero || maximum < initial)
        {
            throw new AgentConfigurationException(
                $"{AgentHost.ConfigurationSection}:ReopenInitialDelay must be above zero and at most {AgentHost.ConfigurationSection}:ReopenMaximumDelay");
        }

        return new ReopenBackoff(initial, maximum, stable);
    }

    private static string? Text(IConfigurationSection section, string key) => section[key] is { Length: > 0 } value ? value : null;

    private static int Integer(IConfigurationSection section, string key, int fallback, int min, int max)
    {
        var text = Text(section, key);
        if (text is null)
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new AgentConfigurationException(string.Create(CultureInfo.InvariantCulture, $"{AgentHost.ConfigurationSection}:{key}: '{text}' is not an integer from {min} to {max}"));
    }

    private static TimeSpan Duration(IConfigurationSection section, string key, TimeSpan fallback)
    {
        var text = Text(section, key);
        if (text is null)
        {
            return fallback;
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value) && value >= TimeSpan.Zero
            ? value
            : throw new AgentConfigurationException($"{AgentHost.ConfigurationSection}:{key}: '{text}' is not a duration (hh:mm:ss[.fff])");
    }
}
