using System.Runtime.Versioning;
using GuestAgentKit.Samples.FirstBoot.Guest;

namespace GuestAgentKit.Tests.Samples.FirstBoot;

[SupportedOSPlatform("linux")]
public sealed class GuestRootTests : IDisposable
{
    private readonly TempGuestRoot _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public void ResolveFile_EtcLinkedToHostEtc_RefusedNamingLinkAndTarget()
    {
        Directory.Delete(_root.Combine("etc"), recursive: true);
        File.CreateSymbolicLink(_root.Combine("etc"), "/etc");

        var error = Assert.Throws<FirstBootApplyException>(() => new GuestRoot(_root.Path).ResolveFile("/etc/hostname"));

        Assert.Equal("/etc/hostname: /etc is a symbolic link to /etc, outside the guest root " + _root.Path + "; refusing to follow it", error.Message);
    }

    [Fact]
    public void ResolveFile_AbsoluteLinkInsideRoot_Followed()
    {
        Directory.CreateDirectory(_root.Combine("data/etc-real"));
        Directory.Delete(_root.Combine("etc"), recursive: true);
        File.CreateSymbolicLink(_root.Combine("etc"), _root.Combine("data/etc-real"));

        var resolved = new GuestRoot(_root.Path).ResolveFile("/etc/hostname");

        Assert.Equal(_root.Combine("data/etc-real/hostname"), resolved.HostPath);
        Assert.Null(resolved.ReadPath);
        Assert.Empty(resolved.MissingDirectories);
    }

    [Fact]
    public void ResolveFile_MissingDirectories_ListedOutermostFirst()
    {
        var resolved = new GuestRoot(_root.Path).ResolveFile("/var/lib/cloud/seed/nocloud/meta-data");

        Assert.Equal(
            ["var", "var/lib", "var/lib/cloud", "var/lib/cloud/seed", "var/lib/cloud/seed/nocloud"],
            resolved.MissingDirectories.Select(d => Path.GetRelativePath(_root.Path, d)));
        Assert.Equal(_root.Combine("var/lib/cloud/seed/nocloud/meta-data"), resolved.HostPath);
    }

    [Fact]
    public void ResolveFile_SymlinkLoop_RefusedAfterHopLimit()
    {
        File.CreateSymbolicLink(_root.Combine("var"), "var");

        var error = Assert.Throws<FirstBootApplyException>(() => new GuestRoot(_root.Path).ResolveFile("/var/x"));

        Assert.Contains($"more than {FirstBootLimits.MaxSymlinkHops} symbolic links", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ResolveFile_FileWhereDirectoryExpected_RefusedNamingIt()
    {
        _root.Write("var", "not a directory");

        var error = Assert.Throws<FirstBootApplyException>(() => new GuestRoot(_root.Path).ResolveFile("/var/lib/x"));

        Assert.Equal("/var/lib/x: /var is not a directory", error.Message);
    }
}
