namespace GuestAgentKit.XenStore;

/// <summary>Where xenstored is: paths tried in order. A path that is a Unix socket is connected as one;
/// anything else (the xenbus character device) is opened as a device file, written one whole message per write.</summary>
public sealed class XenStoreEndpoint
{
    /// <summary>The xenbus device of a dom0 or guest kernel.</summary>
    public const string XenbusDevice = "/dev/xen/xenbus";

    /// <summary>The legacy procfs xenbus file.</summary>
    public const string ProcXenbus = "/proc/xen/xenbus";

    /// <summary>C xenstored's default socket.</summary>
    public const string DefaultSocket = "/var/run/xenstored/socket";

    private XenStoreEndpoint(IReadOnlyList<string> candidates) => Candidates = candidates;

    /// <summary>The paths tried in order by <c>XenStoreClient.ConnectAsync</c>.</summary>
    public IReadOnlyList<string> Candidates { get; }

    /// <summary>One explicit path: a Unix socket or a xenbus device.</summary>
    /// <param name="path">The path.</param>
    /// <returns>The endpoint.</returns>
    public static XenStoreEndpoint FromPath(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new XenStoreEndpoint([path]);
    }

    /// <summary>Dom0's xenstored as libxenstore finds it: <c>XENSTORED_PATH</c>, else
    /// <c>$XENSTORED_RUNDIR/socket</c>, else <c>/var/run/xenstored/socket</c>; then <c>/dev/xen/xenbus</c>.</summary>
    /// <returns>The endpoint.</returns>
    public static XenStoreEndpoint Dom0Default() => Dom0Default(Environment.GetEnvironmentVariable);

    /// <summary>A guest's xenstore: <c>/dev/xen/xenbus</c>, then <c>/proc/xen/xenbus</c>.</summary>
    /// <returns>The endpoint.</returns>
    public static XenStoreEndpoint GuestDefault() => new([XenbusDevice, ProcXenbus]);

    internal static XenStoreEndpoint Dom0Default(Func<string, string?> environment)
    {
        var socket = environment("XENSTORED_PATH") is { Length: > 0 } explicitPath
            ? explicitPath
            : environment("XENSTORED_RUNDIR") is { Length: > 0 } runDir
                ? Path.Combine(runDir, "socket")
                : DefaultSocket;
        return new XenStoreEndpoint([socket, XenbusDevice]);
    }

    /// <inheritdoc />
    public override string ToString() => string.Join(" | ", Candidates);
}
