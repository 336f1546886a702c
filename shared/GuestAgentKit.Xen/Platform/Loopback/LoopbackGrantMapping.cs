using System.IO.MemoryMappedFiles;

namespace GuestAgentKit.Xen.Platform.Loopback;

/// <summary>A loopback grant: a 4096-byte page file mapped shared (<c>MAP_SHARED</c>), so every mapper sees every write.</summary>
internal sealed unsafe class LoopbackGrantMapping : IGrantMapping
{
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private int _disposed;

    private LoopbackGrantMapping(MemoryMappedFile file, MemoryMappedViewAccessor view, SharedPage page)
    {
        _file = file;
        _view = view;
        Page = page;
    }

    public SharedPage Page { get; }

    /// <summary>Maps an open page file; takes ownership of <paramref name="stream"/>.</summary>
    /// <param name="stream">The page file, opened read-write.</param>
    /// <param name="description">What the page is, for error messages (e.g. "grant 8 of domain 3").</param>
    public static LoopbackGrantMapping Map(FileStream stream, string description)
    {
        using var owned = stream;
        if (stream.Length != SharedPage.Size)
        {
            throw new XenPlatformException($"cannot map {description}: {stream.Name} holds {stream.Length} bytes, not a {SharedPage.Size}-byte page");
        }

        var file = MemoryMappedFile.CreateFromFile(stream, null, SharedPage.Size, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: true);
        MemoryMappedViewAccessor? view = null;
        try
        {
            view = file.CreateViewAccessor(0, SharedPage.Size, MemoryMappedFileAccess.ReadWrite);
            byte* address = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref address);
            return new LoopbackGrantMapping(file, view, new SharedPage((nint)(address + view.PointerOffset)));
        }
        catch
        {
            view?.Dispose();
            file.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }
}
