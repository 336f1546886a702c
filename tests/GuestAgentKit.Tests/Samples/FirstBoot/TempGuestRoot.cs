using System.Runtime.Versioning;
using System.Text;

namespace GuestAgentKit.Tests.Samples.FirstBoot;

/// <summary>A throw-away guest tree: /etc/passwd with root and alice, their homes, Debian's default /etc/hosts.</summary>
[SupportedOSPlatform("linux")]
internal sealed class TempGuestRoot : IDisposable
{
    public const string DefaultHosts = "127.0.0.1\tlocalhost\n127.0.1.1\ttemplate\n\n# The following lines are desirable for IPv6 capable hosts\n::1     localhost ip6-localhost ip6-loopback\n";

    public TempGuestRoot()
    {
        Path = Directory.CreateTempSubdirectory("gak-firstboot-").FullName;
        Write("etc/passwd", "root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000:Alice,,,:/home/alice:/bin/bash\n");
        Write("etc/hosts", DefaultHosts);
        Directory.CreateDirectory(Combine("root"));
        Directory.CreateDirectory(Combine("home/alice"));
    }

    public string Path { get; }

    public string Combine(string relative) => System.IO.Path.Join(Path, relative);

    public void Write(string relative, string content)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Combine(relative))!);
        File.WriteAllText(Combine(relative), content, new UTF8Encoding(false));
    }

    public string Read(string relative) => File.ReadAllText(Combine(relative));

    /// <summary>Every entry under the root: kind, mode, and content or link target, to compare before/after.</summary>
    public SortedDictionary<string, string> Snapshot()
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        Walk(Path, result);
        return result;
    }

    public void Dispose() => DeleteWithoutFollowingLinks(Path);

    /// <summary>
    /// Tests plant symlinks that point outside the root (even at /): never recurse through one.
    /// (Directory.EnumerateDirectories with AllDirectories DOES follow directory symlinks.)
    /// </summary>
    private static void DeleteWithoutFollowingLinks(string directory)
    {
        foreach (var entry in Directory.EnumerateFileSystemEntries(directory))
        {
            var info = new FileInfo(entry);
            if (info.LinkTarget is not null || !Directory.Exists(entry))
            {
                info.Delete(); // unlinks a symlink itself, never its target
            }
            else
            {
                DeleteWithoutFollowingLinks(entry);
            }
        }

        Directory.Delete(directory);
    }

    private void Walk(string directory, SortedDictionary<string, string> result)
    {
        foreach (var entry in Directory.EnumerateFileSystemEntries(directory))
        {
            var relative = System.IO.Path.GetRelativePath(Path, entry);
            var info = new FileInfo(entry);
            if (info.LinkTarget is { } target)
            {
                result[relative] = $"link -> {target}";
            }
            else if (Directory.Exists(entry))
            {
                result[relative] = $"dir {File.GetUnixFileMode(entry)}";
                Walk(entry, result);
            }
            else
            {
                result[relative] = $"file {File.GetUnixFileMode(entry)} {Convert.ToBase64String(File.ReadAllBytes(entry))}";
            }
        }
    }
}
