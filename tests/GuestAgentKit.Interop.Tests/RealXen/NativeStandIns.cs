using System.Security.Cryptography;

namespace GuestAgentKit.Interop.Tests.RealXen;

/// <summary>
/// The test-only C stand-ins of tests/native (docs/loopback.md, "Running Debian's real Xen daemons"),
/// compiled with gcc at test time, once per source version: the build goes to
/// <c>/tmp/gak-native-&lt;hash of the sources&gt;</c> and is reused by later runs and by other test
/// processes (built in a scratch directory, then renamed into place, so nobody sees half a build).
/// </summary>
internal sealed class NativeStandIns
{
    private static readonly Lazy<Task<NativeStandIns>> Built = new(() => Task.Run(Build));

    private NativeStandIns(string directory) => Directory = directory;

    /// <summary>The directory holding the built stand-ins: put it on LD_LIBRARY_PATH.</summary>
    public string Directory { get; }

    /// <summary>The LD_PRELOAD library standing in for the hypervisor under the real daemons.</summary>
    public string Preload => Path.Combine(Directory, "gak-xen-preload.so");

    /// <summary>The self-test of the stand-in libraries as two domains (tests/native/standin_selftest.c).</summary>
    public string SelfTest => Path.Combine(Directory, "gak-standin-selftest");

    /// <summary>The test guest domain program (tests/native/guest_domain.c).</summary>
    public string GuestDomain => Path.Combine(Directory, "gak-guest-domain");

    /// <summary>The stand-ins, built on first use (thread safe; later callers await the same build).</summary>
    public static Task<NativeStandIns> GetAsync(CancellationToken cancellationToken) =>
        Built.Value.WaitAsync(TimeSpan.FromMinutes(2), cancellationToken);

    /// <summary>
    /// The environment a real Xen daemon needs on the loopback rooted at <paramref name="root"/>:
    /// stand-in libraries first on the library path, the preload, and the root.
    /// </summary>
    public Dictionary<string, string> DaemonEnvironment(string root) => new()
    {
        ["GAK_LOOPBACK_DIR"] = root,
        ["GAK_LOOPBACK_DOMID"] = "0",
        ["LD_LIBRARY_PATH"] = Directory,
        ["LD_PRELOAD"] = Preload,
    };

    private static async Task<NativeStandIns> Build()
    {
        var sources = Path.Combine(AppContext.BaseDirectory, "native");
        XenPackages.Require(Path.Combine(sources, "build.sh"), "(tests/native is copied to the test output by the csproj)");
        XenPackages.Require("/usr/bin/gcc", "gcc");
        XenPackages.Require("/usr/include/stdio.h", "libc6-dev");
        XenPackages.Require("/usr/include/xenevtchn.h", "libxen-dev");
        XenPackages.Require("/usr/include/xengnttab.h", "libxen-dev");

        var target = Path.Combine(Path.GetTempPath(), "gak-native-" + HashSources(sources));
        if (File.Exists(Path.Combine(target, "gak-standin-selftest")))
        {
            return new NativeStandIns(target);
        }

        var scratch = target + ".build-" + Guid.NewGuid().ToString("N");
        var result = await ChildProcess.RunAsync(
            "/bin/sh",
            [Path.Combine(sources, "build.sh"), scratch],
            new Dictionary<string, string>(),
            TimeSpan.FromMinutes(2),
            CancellationToken.None).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"building tests/native failed (needs Debian packages gcc, libc6-dev, libxen-dev): {result}");
        }

        try
        {
            System.IO.Directory.Move(scratch, target);
        }
        catch (IOException) when (File.Exists(Path.Combine(target, "gak-standin-selftest")))
        {
            // Another test process won the race with an identical build.
            System.IO.Directory.Delete(scratch, recursive: true);
        }

        return new NativeStandIns(target);
    }

    private static string HashSources(string sources)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in System.IO.Directory.GetFiles(sources).Order(StringComparer.Ordinal))
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(Path.GetFileName(file)));
            hash.AppendData(File.ReadAllBytes(file));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
    }
}
