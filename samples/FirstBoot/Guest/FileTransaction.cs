namespace GuestAgentKit.Samples.FirstBoot.Guest;

/// <summary>
/// Writes a set of files all-or-nothing. Phase 1 creates missing directories and writes every new file
/// as a hidden temp file next to its target; phase 2 hard-links every existing target to a backup name
/// and renames the temp files over the targets, one atomic rename each. Any failure undoes what was
/// done in reverse: backups are renamed back (atomic again), created files and directories removed.
/// A crash (not an exception) between renames can still leave a mix; the hidden
/// <c>.NAME.gak-old-*</c> backups then show what to restore.
/// </summary>
internal sealed class FileTransaction(IFileOps ops)
{
    private readonly List<string> _createdDirectories = [];
    private readonly List<(PlannedFile File, string Temp, string? Backup)> _staged = [];
    private readonly List<int> _committed = [];

    public void Commit(IReadOnlyList<PlannedFile> files)
    {
        var current = "";
        try
        {
            foreach (var file in files)
            {
                current = file.Target.GuestPath;
                Stage(file);
            }

            for (var i = 0; i < _staged.Count; i++)
            {
                var (file, temp, backup) = _staged[i];
                current = file.Target.GuestPath;
                if (backup is not null)
                {
                    ops.Link(file.Target.HostPath, backup);
                }

                ops.Rename(temp, file.Target.HostPath);
                _committed.Add(i);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var failures = RollBack();
            throw new FirstBootApplyException(
                current,
                failures.Count == 0
                    ? $"{e.Message}; nothing was changed (all changes rolled back)"
                    : $"{e.Message}; ROLLBACK INCOMPLETE: {string.Join("; ", failures)}",
                e,
                rollbackComplete: failures.Count == 0);
        }

        foreach (var (_, _, backup) in _staged)
        {
            TryDelete(backup, []);
        }
    }

    private void Stage(PlannedFile file)
    {
        foreach (var directory in file.Target.MissingDirectories)
        {
            if (Directory.Exists(directory))
            {
                continue; // created for an earlier file of this transaction
            }

            Directory.CreateDirectory(directory, file.DirectoryMode);
            _createdDirectories.Add(directory);
            File.SetUnixFileMode(directory, file.DirectoryMode);
            if (file.Owner is var (uid, gid))
            {
                ops.SetOwner(directory, uid, gid);
            }
        }

        var directoryPath = Path.GetDirectoryName(file.Target.HostPath)!;
        var name = Path.GetFileName(file.Target.HostPath);
        var unique = Guid.NewGuid().ToString("N")[..12];
        var temp = Path.Join(directoryPath, $".{name}.gak-new-{unique}");
        var exists = File.Exists(file.Target.HostPath) || new FileInfo(file.Target.HostPath).LinkTarget is not null;
        _staged.Add((file, temp, exists ? Path.Join(directoryPath, $".{name}.gak-old-{unique}") : null));
        ops.WriteNew(temp, file.Content, file.Mode);
        if (file.Owner is var (fileUid, fileGid))
        {
            ops.SetOwner(temp, fileUid, fileGid);
        }
    }

    private List<string> RollBack()
    {
        var failures = new List<string>();
        for (var k = _committed.Count - 1; k >= 0; k--)
        {
            var (file, _, backup) = _staged[_committed[k]];
            try
            {
                if (backup is not null)
                {
                    ops.Rename(backup, file.Target.HostPath);
                }
                else
                {
                    File.Delete(file.Target.HostPath);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                failures.Add($"{file.Target.GuestPath}: {e.Message}");
            }
        }

        for (var i = 0; i < _staged.Count; i++)
        {
            var (_, temp, backup) = _staged[i];
            TryDelete(temp, failures);
            if (!_committed.Contains(i))
            {
                TryDelete(backup, failures);
            }
        }

        for (var k = _createdDirectories.Count - 1; k >= 0; k--)
        {
            try
            {
                Directory.Delete(_createdDirectories[k]);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                failures.Add($"{_createdDirectories[k]}: {e.Message}");
            }
        }

        return failures;
    }

    private static void TryDelete(string? path, List<string> failures)
    {
        try
        {
            if (path is not null)
            {
                File.Delete(path);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            failures.Add($"{path}: {e.Message}");
        }
    }
}
