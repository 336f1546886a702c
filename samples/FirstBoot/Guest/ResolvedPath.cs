namespace GuestAgentKit.Samples.FirstBoot.Guest;

/// <summary>
/// Where a guest path lives on the host, after checking every component against the root.
/// </summary>
/// <param name="GuestPath">The path as the guest sees it, e.g. <c>/etc/hostname</c>.</param>
/// <param name="HostPath">The host path to rename the new file onto: the real (symlink-free) parent directory plus the name.
/// When the final component is a symlink, the rename replaces the link, never what it points to.</param>
/// <param name="ReadPath">The host path of the existing file's content (the link's target inside the root), or null when there is none.</param>
/// <param name="MissingDirectories">Directories to create, outermost first.</param>
internal sealed record ResolvedPath(string GuestPath, string HostPath, string? ReadPath, IReadOnlyList<string> MissingDirectories);
