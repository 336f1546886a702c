namespace GuestAgentKit.Xen.Platform.Native;

/// <summary>A grant mapped through <c>xengnttab_map_grant_ref</c>; unmapped with <c>xengnttab_unmap</c>.</summary>
internal sealed class NativeGrantMapping(NativeXenPlatform platform, nint address) : IGrantMapping
{
    private int _disposed;

    public SharedPage Page { get; } = new(address);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            platform.Unmap(address);
        }
    }
}
