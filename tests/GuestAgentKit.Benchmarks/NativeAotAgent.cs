using System.Reflection;
using System.Security.Cryptography;
using GuestAgentKit.Interop.Tests.RealXen;

namespace GuestAgentKit.Benchmarks;

/// <summary>
/// gak-agent published as NativeAOT by the documented command (docs/guest.md) from this source tree, on first use, into
/// <c>/tmp/gak-bench-agent-&lt;hash of the agent's sources&gt;</c>, and reused while the sources are unchanged (as
/// <see cref="NativePeers"/> does for the C peers). The sources are copied to a scratch directory and published there,
/// so the RID-specific restore and build never touch the tree's own obj/ directories.
/// </summary>
internal sealed class NativeAotAgent
{
    /// <summary>What gak-agent is built from: its projects and everything they reference, plus the build's root files.</summary>
    private static readonly string[] SourceDirectories = ["shared", "guest"];
    private static readonly string[] RootFiles = ["Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props", "global.json"];
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(20);

    private readonly Lazy<Task<string>> _published;

    public NativeAotAgent(TextWriter log) => _published = new(() => Task.Run(() => PublishAsync(log)));

    /// <summary>The repository this harness was built from (stamped into the assembly by the csproj).</summary>
    public static string RepositoryRoot { get; } =
        typeof(NativeAotAgent).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "GakRepositoryRoot").Value!;

    /// <summary>The published native <c>gak-agent</c> (publishing it first if this tree's build is not cached).</summary>
    public Task<string> PathAsync() => _published.Value;

    private static async Task<string> PublishAsync(TextWriter log)
    {
        var files = SourceFiles();
        var target = Path.Combine(Path.GetTempPath(), "gak-bench-agent-" + Hash(files));
        var agent = Path.Combine(target, "gak-agent");
        if (File.Exists(agent))
        {
            log.WriteLine($"  NativeAOT gak-agent: cached {agent}");
            return agent;
        }

        log.WriteLine($"  NativeAOT gak-agent: publishing this tree into {target} (minutes; needs clang, zlib1g-dev and the ILCompiler package from NuGet)");
        var scratch = Directory.CreateTempSubdirectory("gak-bench-agent-build-").FullName;
        try
        {
            foreach (var file in files)
            {
                var copy = Path.Combine(scratch, file);
                Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
                File.Copy(Path.Combine(RepositoryRoot, file), copy);
            }

            var output = Path.Combine(scratch, "out");
            var result = await ChildProcess.RunAsync(
                "dotnet",
                ["publish", Path.Combine(scratch, "guest", "gak-agent"), "-c", "Release", "-r", "linux-x64", "-p:PublishAot=true",
                    "-o", output, "-nologo", "--disable-build-servers"], // no build server outlives the harness
                new Dictionary<string, string> { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["DOTNET_NOLOGO"] = "1" },
                PublishTimeout,
                CancellationToken.None).ConfigureAwait(false);
            if (result.ExitCode != 0 || !File.Exists(Path.Combine(output, "gak-agent")))
            {
                throw new InvalidOperationException($"dotnet publish -p:PublishAot=true of gak-agent failed: {result}");
            }

            try
            {
                Directory.Move(output, target); // renamed into place: nobody sees half a publish
            }
            catch (IOException) when (Directory.Exists(target))
            {
                // another run published the same sources first
            }

            return agent;
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    /// <summary>Every file the agent's publish reads from the tree, relative to its root, in a stable order.</summary>
    private static List<string> SourceFiles()
    {
        var files = RootFiles.Where(f => File.Exists(Path.Combine(RepositoryRoot, f))).ToList();
        foreach (var directory in SourceDirectories)
        {
            files.AddRange(Directory.EnumerateFiles(Path.Combine(RepositoryRoot, directory), "*", SearchOption.AllDirectories)
                .Select(f => Path.GetRelativePath(RepositoryRoot, f))
                .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj")));
        }

        files.Sort(StringComparer.Ordinal);
        return files;
    }

    private static string Hash(List<string> files)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in files)
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(file + "\0"));
            hash.AppendData(File.ReadAllBytes(Path.Combine(RepositoryRoot, file)));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
    }
}
