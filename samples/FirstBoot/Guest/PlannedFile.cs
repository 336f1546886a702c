namespace GuestAgentKit.Samples.FirstBoot.Guest;

/// <summary>One file an apply will write, fully rendered, with the mode and owner it must end up with.</summary>
/// <param name="Target">Where it goes.</param>
/// <param name="Content">The complete new content.</param>
/// <param name="Mode">The file's mode.</param>
/// <param name="Owner">uid/gid to chown the file and any directory we create to, or null to leave ours.</param>
/// <param name="DirectoryMode">Mode of the directories we create for it.</param>
/// <param name="Action">Created, updated or unchanged (unchanged files are not written).</param>
internal sealed record PlannedFile(
    ResolvedPath Target,
    byte[] Content,
    UnixFileMode Mode,
    (int Uid, int Gid)? Owner,
    UnixFileMode DirectoryMode,
    FileChangeAction Action);
