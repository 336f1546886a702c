namespace GuestAgentKit.Samples.FirstBoot.Guest;

/// <summary>
/// A guest's file system tree rooted at a host directory. Resolves guest paths component by component,
/// following symbolic links, and refuses any that lead outside (an absolute link target is a HOST path and
/// must lie inside the root; relative targets are walked and may not climb above it): <c>&lt;root&gt;/etc -&gt; /etc</c> on a host would otherwise make
/// first-boot rewrite the host's own files.
/// </summary>
internal sealed class GuestRoot
{
    public GuestRoot(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        var info = new DirectoryInfo(full.Length == 0 ? "/" : full);
        if (!info.Exists)
        {
            throw new DirectoryNotFoundException($"guest root '{root}' does not exist");
        }

        // The root itself may be a symlink (an operator's choice); everything below is checked.
        Host = info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? info.FullName;
        Host = Host.Length > 1 ? Path.TrimEndingDirectorySeparator(Host) : Host;
    }

    /// <summary>The real host path of the root.</summary>
    public string Host { get; }

    /// <summary>Resolves a file path; the file itself may be missing, a regular file or a symlink to one inside the root.</summary>
    public ResolvedPath ResolveFile(string guestPath)
    {
        var parentGuest = Path.GetDirectoryName(guestPath) ?? "/";
        var name = Path.GetFileName(guestPath);
        var (parentHost, missing) = Walk(guestPath, parentGuest, mustExist: false);
        var host = Path.Join(missing.Count > 0 ? missing[^1] : parentHost, name);
        if (missing.Count > 0)
        {
            return new ResolvedPath(guestPath, host, null, missing);
        }

        var info = new FileInfo(host);
        string? read = null;
        if (info.LinkTarget is not null)
        {
            // Read what the link points to (it must stay inside the root); the rename replaces the link itself.
            var (target, targetMissing) = Walk(guestPath, LinkTargetAsGuestPath(guestPath, host, parentHost, info.LinkTarget), mustExist: false, finalMayBeFile: true);
            read = targetMissing.Count > 0 ? null : target;
        }
        else if (info.Exists || Directory.Exists(host))
        {
            read = host;
        }

        if (read is not null && Directory.Exists(read))
        {
            throw new FirstBootApplyException(guestPath, "is a directory, not a file");
        }

        return new ResolvedPath(guestPath, host, read, []);
    }

    /// <summary>Resolves a directory that must exist (e.g. a user's home).</summary>
    public string ResolveExistingDirectory(string guestPath) => Walk(guestPath, guestPath, mustExist: true).Existing;

    /// <summary>The guest path of a host path below the root (for messages).</summary>
    public string ToGuestPath(string hostPath) =>
        Host == "/" ? hostPath : "/" + Path.GetRelativePath(Host, hostPath).Replace('\\', '/');

    private (string Existing, List<string> Missing) Walk(string subject, string guestPath, bool mustExist, bool finalMayBeFile = false)
    {
        var pending = new Stack<string>(Components(guestPath).Reverse());
        var current = Host;
        var hops = 0;
        var missing = new List<string>();
        while (pending.Count > 0)
        {
            var component = pending.Pop();
            if (missing.Count > 0)
            {
                missing.Add(Path.Join(missing[^1], component));
                continue;
            }

            if (component == "..")
            {
                if (current == Host)
                {
                    throw new FirstBootApplyException(subject, $"'..' leads above the guest root {Host}");
                }

                current = Path.GetDirectoryName(current) ?? Host;
                continue;
            }

            var next = Path.Join(current, component);
            var info = new FileInfo(next);
            if (info.LinkTarget is { } target)
            {
                if (++hops > FirstBootLimits.MaxSymlinkHops)
                {
                    throw new FirstBootApplyException(subject, $"more than {FirstBootLimits.MaxSymlinkHops} symbolic links (a loop?)");
                }

                if (Path.IsPathRooted(target))
                {
                    current = Host;
                    target = CheckAbsoluteLink(subject, next, target);
                }

                foreach (var c in Components(target).Reverse())
                {
                    pending.Push(c);
                }

                continue;
            }

            if (Directory.Exists(next) || (info.Exists && pending.Count == 0 && finalMayBeFile))
            {
                // A file is fine as the last component of a symlinked file's target.
                current = next;
            }
            else if (info.Exists)
            {
                throw new FirstBootApplyException(subject, $"{ToGuestPath(next)} is not a directory");
            }
            else if (mustExist)
            {
                throw new FirstBootApplyException(subject, $"{ToGuestPath(next)} does not exist");
            }
            else
            {
                missing.Add(next);
            }
        }

        return (current, missing);
    }

    private string LinkTargetAsGuestPath(string subject, string linkHost, string parentHost, string target) =>
        Path.IsPathRooted(target) ? CheckAbsoluteLink(subject, linkHost, target) : Path.Join(ToGuestPath(parentHost), target);

    /// <summary>Returns the guest path of an absolute (host) link target, or throws when it leaves the root.</summary>
    /// <remarks>
    /// Inside a guest an absolute link means the guest's root; read from the host it means the host's.
    /// Only a target that is inside the root either way is followed, so nobody has to guess which was meant.
    /// </remarks>
    private string CheckAbsoluteLink(string subject, string linkHost, string target)
    {
        var full = Path.GetFullPath(target);
        if (!IsInside(full))
        {
            throw new FirstBootApplyException(subject, $"{ToGuestPath(linkHost)} is a symbolic link to {target}, outside the guest root {Host}; refusing to follow it");
        }

        return ToGuestPath(full);
    }

    private bool IsInside(string hostPath) =>
        Host == "/" || hostPath == Host || hostPath.StartsWith(Host + "/", StringComparison.Ordinal);

    private static IEnumerable<string> Components(string path) =>
        path.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(c => c != ".");
}
