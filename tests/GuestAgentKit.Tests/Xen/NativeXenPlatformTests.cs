using GuestAgentKit.Xen.Platform;
using GuestAgentKit.Xen.Platform.Native;

namespace GuestAgentKit.Tests.Xen;

/// <summary>
/// ABI checks against Debian's real <c>libxengnttab.so.1</c>/<c>libxenevtchn.so.1</c> (package libxen-dev /
/// libxengnttab1 + libxenevtchn1). This machine has no hypervisor, so opening must fail with our clear error.
/// </summary>
public sealed unsafe class NativeXenPlatformTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("gak-native-");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public void Load_RealXenLibraries_ResolvesEveryImportedSymbol()
    {
        var lib = NativeXenLibraries.Load(null);

        Assert.True(lib.GntTabOpen != null);
        Assert.True(lib.GntTabClose != null);
        Assert.True(lib.GntTabMapGrantRef != null);
        Assert.True(lib.GntTabUnmap != null);
        Assert.True(lib.EvtchnOpen != null);
        Assert.True(lib.EvtchnClose != null);
        Assert.True(lib.EvtchnFd != null);
        Assert.True(lib.EvtchnBindInterdomain != null);
        Assert.True(lib.EvtchnUnbind != null);
        Assert.True(lib.EvtchnNotify != null);
        Assert.True(lib.EvtchnPending != null);
        Assert.True(lib.EvtchnUnmask != null);
    }

    [Fact]
    public void Open_NoXenDevices_ThrowsNotAXenDom0()
    {
        Assert.False(File.Exists("/dev/xen/gntdev")); // the premise: no hypervisor here

        var error = Assert.Throws<XenPlatformException>(() => NativeXenPlatform.Open());

        Assert.StartsWith("not a Xen dom0: xengnttab_open failed", error.Message, StringComparison.Ordinal);
        Assert.Contains("/dev/xen/gntdev", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_LibraryDirectoryWithoutXen_ThrowsLibraryNotFound()
    {
        var error = Assert.Throws<XenPlatformException>(() => NativeXenPlatform.Open(_directory.FullName));

        Assert.StartsWith("not a Xen dom0: libxengnttab.so.1 not found", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_LibraryWithTheSonameButNotXen_ThrowsMissingSymbol()
    {
        var libm = new[] { "/lib/x86_64-linux-gnu/libm.so.6", "/usr/lib/x86_64-linux-gnu/libm.so.6", "/lib64/libm.so.6", "/lib/aarch64-linux-gnu/libm.so.6" }
            .First(File.Exists);
        File.CreateSymbolicLink(Path.Combine(_directory.FullName, NativeXenLibraries.GntTabSoname), libm);
        File.CreateSymbolicLink(Path.Combine(_directory.FullName, NativeXenLibraries.EvtchnSoname), libm);

        var error = Assert.Throws<XenPlatformException>(() => NativeXenPlatform.Open(_directory.FullName));

        Assert.Equal("libxengnttab.so.1 has no symbol xengnttab_open: not a supported Xen userspace", error.Message);
    }
}
