namespace GuestAgentKit;

public static partial class Limits
{
    /// <summary>Highest hvc index: the hvc tty driver has 8 lines, <c>/dev/hvc0</c>..<c>hvc7</c>.</summary>
    public const int HvcMaxIndex = 7;

    /// <summary>Most <c>device/console/*</c> entries discovery looks at; a domain has at most a handful.</summary>
    public const int DiscoveryMaxConsoles = 64;

    /// <summary>How long the orchestrator client reads leftover bytes after <c>shutdown(SHUT_RD)</c> before it closes
    /// the socket (the lossless rule of the backend, WAVE2 contract).</summary>
    public static readonly TimeSpan AgentClientDrainTimeout = TimeSpan.FromSeconds(1);

    /// <summary>How long the orchestrator client waits for the channel socket to accept a connection.</summary>
    public static readonly TimeSpan AgentClientConnectTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Default configuration file of <c>gak-agent</c> (optional).</summary>
    public const string AgentConfigFile = "/etc/guestagentkit/agent.json";
}
