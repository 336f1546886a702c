namespace GuestAgentKit.Samples.FirstBoot.Guest;

/// <summary>
/// The file system calls an apply is made of, as a seam so tests can fail one of them part-way
/// (a full disk or an EIO cannot be staged reliably as root).
/// </summary>
internal interface IFileOps
{
    /// <summary>Creates <paramref name="path"/> exclusively with exactly <paramref name="mode"/>, writes and fsyncs it.</summary>
    void WriteNew(string path, byte[] content, UnixFileMode mode);

    /// <summary>lchown(2).</summary>
    void SetOwner(string path, int uid, int gid);

    /// <summary>link(2): a second name for the same inode (does not follow a symlink).</summary>
    void Link(string existing, string newPath);

    /// <summary>rename(2): atomically replaces <paramref name="destination"/>.</summary>
    void Rename(string source, string destination);
}
