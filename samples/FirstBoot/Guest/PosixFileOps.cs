using System.Runtime.InteropServices;

namespace GuestAgentKit.Samples.FirstBoot.Guest;

/// <summary>The real <see cref="IFileOps"/>: .NET file APIs plus the three libc calls .NET lacks.</summary>
internal sealed partial class PosixFileOps : IFileOps
{
    public static PosixFileOps Instance { get; } = new();

    public void WriteNew(string path, byte[] content, UnixFileMode mode)
    {
        using (var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = mode,
        }))
        {
            stream.Write(content);
            stream.Flush(flushToDisk: true);
        }

        // The create mode went through the umask; set the exact one.
        File.SetUnixFileMode(path, mode);
    }

    public void SetOwner(string path, int uid, int gid) => Check(LChown(path, uid, gid), "lchown", path);

    public void Link(string existing, string newPath) => Check(LinkNative(existing, newPath), "link", existing);

    public void Rename(string source, string destination) => Check(RenameNative(source, destination), "rename", destination);

    private static void Check(int result, string call, string path)
    {
        if (result != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"{call} {path}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
        }
    }

    [LibraryImport("libc", EntryPoint = "lchown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LChown(string path, int owner, int group);

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LinkNative(string existing, string newPath);

    [LibraryImport("libc", EntryPoint = "rename", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int RenameNative(string source, string destination);
}
