namespace GuestAgentKit.Interop.Tests.RealXen;

/// <summary>The stand-in libxengnttab/libxenevtchn themselves against docs/loopback.md (tests/native/standin_selftest.c).</summary>
public sealed class StandInsTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task SelfTest_TwoDomains_GrantsAndEventChannelsFollowConvention()
    {
        var ct = TestContext.Current.CancellationToken;
        var standIns = await NativeStandIns.GetAsync(ct).WaitAsync(RealXenStored.StartTimeout, ct);
        var root = LoopbackDirectory.Create();
        try
        {
            var result = await ChildProcess.RunAsync(
                standIns.SelfTest, [], new Dictionary<string, string> { ["GAK_LOOPBACK_DIR"] = root }, Timeout, ct);

            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.DoesNotContain("FAIL", result.StandardOutput, StringComparison.Ordinal);
            Assert.Contains("ok dom0 maps both refs and sees domain 3's bytes", result.StandardOutput, StringComparison.Ordinal);
            Assert.Contains("ok the two notifications coalesced into one event", result.StandardOutput, StringComparison.Ordinal);
            Assert.Contains("ok closing a handle unbinds its ports", result.StandardOutput, StringComparison.Ordinal);
        }
        finally
        {
            LoopbackDirectory.Delete(root);
        }
    }

    [Theory]
    [InlineData("libxenevtchn.so.1")]
    [InlineData("libxengnttab.so.1")]
    public async Task StandIn_ComparedWithDebianLibrary_ExportsSameSymbolsAndVersions(string library)
    {
        var ct = TestContext.Current.CancellationToken;
        var standIns = await NativeStandIns.GetAsync(ct).WaitAsync(RealXenStored.StartTimeout, ct);
        var real = XenPackages.Require(Path.Combine("/usr/lib/x86_64-linux-gnu", library), library.StartsWith("libxenevtchn", StringComparison.Ordinal) ? "libxenevtchn1" : "libxengnttab1");

        var expected = await ExportedFunctionsAsync(real, ct);
        var actual = await ExportedFunctionsAsync(Path.Combine(standIns.Directory, library), ct);

        Assert.NotEmpty(expected);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public async Task Preload_XcFunctions_CarryLibxenctrlVersion()
    {
        var ct = TestContext.Current.CancellationToken;
        var standIns = await NativeStandIns.GetAsync(ct).WaitAsync(RealXenStored.StartTimeout, ct);
        var real = await ExportedFunctionsAsync(XenPackages.Require("/usr/lib/x86_64-linux-gnu/libxenctrl.so.4.17", "libxenmisc4.17"), ct);

        var preload = await ExportedFunctionsAsync(standIns.Preload, ct);

        foreach (var symbol in new[] { "xc_interface_open", "xc_domain_getinfo", "xc_domain_getinfolist", "xc_evtchn_status", "xc_map_foreign_range" })
        {
            Assert.Equal(real[symbol], preload[symbol]);
        }
    }

    /// <summary>Function symbols a library defines, mapped to their version, from <c>objdump -T</c>.</summary>
    private static async Task<SortedDictionary<string, string>> ExportedFunctionsAsync(string library, CancellationToken ct)
    {
        var dump = await ChildProcess.RunAsync(
            XenPackages.Require("/usr/bin/objdump", "binutils"), ["-T", library], new Dictionary<string, string>(), Timeout, ct);
        Assert.True(dump.ExitCode == 0, dump.ToString());

        // "0000000000001670 g    DF .text  0000000000000003  VERS_1.0    xenevtchn_fd"
        var functions = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in dump.StandardOutput.Split('\n'))
        {
            var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 7 && fields[2] == "DF" && fields[3] == ".text")
            {
                functions[fields[6]] = fields[5];
            }
        }

        return functions;
    }
}
