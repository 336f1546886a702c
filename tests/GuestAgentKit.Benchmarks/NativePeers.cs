using System.Security.Cryptography;
using GuestAgentKit.Interop.Tests.RealXen;

namespace GuestAgentKit.Benchmarks;

/// <summary>
/// The C peers of tests/native/bench (copied next to the harness by the csproj), compiled with gcc on
/// first use into <c>/tmp/gak-bench-&lt;hash of the sources&gt;</c> and reused while the sources are unchanged.
/// </summary>
internal sealed class NativePeers
{
    private static readonly (string Program, string Source, string[] Libraries)[] Programs =
    [
        ("gak-ring-copier", "ring_copier.c", ["-lpthread"]),
        ("gak-xs-loop", "xs_loop.c", ["-lxenstore"]),
        ("gak-xs-raw", "xs_raw.c", []),
    ];

    private readonly Lazy<Task<string>> _built = new(() => Task.Run(BuildAsync));

    /// <summary>The raw ring copier (ring_copier.c).</summary>
    public Task<string> RingCopierAsync() => PathOfAsync("gak-ring-copier");

    /// <summary>The synchronous libxenstore loop (xs_loop.c).</summary>
    public Task<string> XenStoreLoopAsync() => PathOfAsync("gak-xs-loop");

    /// <summary>The raw pipelined xenstore client (xs_raw.c).</summary>
    public Task<string> XenStoreRawAsync() => PathOfAsync("gak-xs-raw");

    private async Task<string> PathOfAsync(string program) =>
        Path.Combine(await _built.Value.ConfigureAwait(false), program);

    private static async Task<string> BuildAsync()
    {
        var sources = Path.Combine(AppContext.BaseDirectory, "native-bench");
        XenPackages.Require("/usr/bin/gcc", "gcc");
        XenPackages.Require("/usr/include/xenstore.h", "libxen-dev");
        var target = Path.Combine(Path.GetTempPath(), "gak-bench-" + Hash(sources));
        if (Programs.All(p => File.Exists(Path.Combine(target, p.Program))))
        {
            return target;
        }

        // Built in a scratch directory and renamed into place: nobody sees half a build.
        var scratch = System.IO.Directory.CreateTempSubdirectory("gak-bench-build-").FullName;
        foreach (var (program, source, libraries) in Programs)
        {
            var result = await ChildProcess.RunAsync(
                "/usr/bin/gcc",
                ["-O2", "-Wall", "-Wextra", "-Werror", "-o", Path.Combine(scratch, program), Path.Combine(sources, source), .. libraries],
                new Dictionary<string, string>(),
                TimeSpan.FromMinutes(2),
                CancellationToken.None).ConfigureAwait(false);
            if (result.ExitCode != 0)
            {
                throw new InvalidOperationException($"gcc {source} failed (needs gcc, libc6-dev, libxen-dev): {result}");
            }
        }

        try
        {
            System.IO.Directory.Move(scratch, target);
        }
        catch (IOException) when (System.IO.Directory.Exists(target))
        {
            System.IO.Directory.Delete(scratch, recursive: true); // another run won the race with the same build
        }

        return target;
    }

    private static string Hash(string sources)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in System.IO.Directory.GetFiles(sources, "*.c").Order(StringComparer.Ordinal))
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(Path.GetFileName(file)));
            hash.AppendData(File.ReadAllBytes(file));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
    }
}
