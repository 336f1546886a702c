namespace GuestAgentKit.XenStore;

/// <summary>What a permission entry grants (<c>XS_PERM_*</c>; letters <c>n r w b</c> on the wire).</summary>
public enum XsAccess
{
    /// <summary>No access (<c>n</c>, <c>XS_PERM_NONE</c>).</summary>
    None,

    /// <summary>Read (<c>r</c>, <c>XS_PERM_READ</c>).</summary>
    Read,

    /// <summary>Write (<c>w</c>, <c>XS_PERM_WRITE</c>).</summary>
    Write,

    /// <summary>Read and write (<c>b</c>, both).</summary>
    Both,
}
