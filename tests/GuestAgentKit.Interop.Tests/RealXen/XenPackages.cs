namespace GuestAgentKit.Interop.Tests.RealXen;

/// <summary>
/// Where Debian 12 installs the real Xen userspace these tests drive, and which package brings each
/// piece (tests/run.sh installs them; docs/testing.md lists them). A missing piece fails the test with
/// the package name: these tiers never skip.
/// </summary>
internal static class XenPackages
{
    /// <summary>The daemons; called directly because the /usr/sbin wrappers refuse without a hypervisor.</summary>
    public const string DaemonDirectory = "/usr/lib/xen-4.17/bin";

    /// <summary>Debian package of xenstored, oxenstored and xenconsoled.</summary>
    public const string DaemonPackage = "xen-utils-4.17";

    /// <summary>Debian package of xenstore-read/-write/-ls/-rm/-chmod/-watch.</summary>
    public const string ToolsPackage = "xenstore-utils";

    /// <summary>The full path of a daemon from <see cref="DaemonDirectory"/>; throws naming the package when absent.</summary>
    public static string Daemon(string name) => Require(Path.Combine(DaemonDirectory, name), DaemonPackage);

    /// <summary>The full path of a xenstore-* tool in /usr/bin; throws naming the package when absent.</summary>
    public static string Tool(string name) => Require(Path.Combine("/usr/bin", name), ToolsPackage);

    /// <summary>Returns <paramref name="path"/> if it exists, else throws naming the Debian package that installs it.</summary>
    public static string Require(string path, string package) =>
        File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{path} is missing: install the Debian package '{package}' (apt-get install {package}).", path);
}
