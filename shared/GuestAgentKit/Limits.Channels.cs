namespace GuestAgentKit;

public static partial class Limits
{
    /// <summary>
    /// Longest channel name in bytes (names are printable ASCII, so bytes = characters). The name is
    /// stored as a xenstore node value (node size limit 2048) and is part of socket paths built by
    /// toolstacks (libvirt: <c>&lt;domname&gt;-&lt;name&gt;</c>), so it must stay well below both.
    /// </summary>
    public const int ChannelNameMaxBytes = 128;

    /// <summary>
    /// Longest Unix socket path in bytes: <c>sizeof(sockaddr_un.sun_path)</c> is 108 on Linux, one byte
    /// of which is the terminating NUL.
    /// </summary>
    public const int UnixSocketPathMaxBytes = 107;
}
