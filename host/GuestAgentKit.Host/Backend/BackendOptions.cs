namespace GuestAgentKit.Host.Backend;

/// <summary>
/// Configuration of the channel backend daemon (section <c>Backend</c> of the JSON config, environment
/// <c>GAK_BACKEND__&lt;Property&gt;</c>, command-line options).
/// </summary>
public sealed class BackendOptions
{
    /// <summary>The configuration section name.</summary>
    public const string Section = "Backend";

    /// <summary>Loopback root directory: use the loopback Xen there (its xenstore at R/xenstored/socket).</summary>
    public string? Loopback { get; set; }

    /// <summary>Use the real Xen libraries (libxengnttab/libxenevtchn) and dom0's xenstore.</summary>
    public bool Native { get; set; }

    /// <summary>The xenstore socket; default from the platform (XENSTORED_PATH, /var/run/xenstored/socket, ...).</summary>
    public string? XenStore { get; set; }

    /// <summary>Group that owns every channel socket (name or gid); null keeps the daemon's group.</summary>
    public string? SocketGroup { get; set; }

    /// <summary>Permission bits of channel sockets, octal text (default <c>0600</c>; <c>0660</c> with a group).</summary>
    public string SocketMode { get; set; } = "0600";

    /// <summary>Per-channel rate limit in bytes per second, both directions together.</summary>
    public long BytesPerSecond { get; set; } = Limits.BackendDefaultBytesPerSecond;

    /// <summary>Per-channel burst in bytes.</summary>
    public long BurstBytes { get; set; } = Limits.BackendDefaultBurstBytes;

    /// <summary>Per-channel event-channel wake-ups per second.</summary>
    public int EventsPerSecond { get; set; } = Limits.BackendDefaultEventsPerSecond;

    /// <summary>Parses <see cref="SocketMode"/>.</summary>
    /// <returns>The permission bits.</returns>
    /// <exception cref="FormatException">Not an octal mode of at most 0777.</exception>
    public int ParseSocketMode()
    {
        var text = SocketMode.Trim();
        if (text.Length is 0 or > 4 || !text.All(c => c is >= '0' and <= '7'))
        {
            throw new FormatException($"socket mode \"{SocketMode}\" is not an octal mode such as 0600 or 0660");
        }

        var mode = text.Aggregate(0, (acc, c) => (acc * 8) + (c - '0'));
        return mode <= 0x1FF ? mode : throw new FormatException($"socket mode \"{SocketMode}\" is above 0777");
    }
}
