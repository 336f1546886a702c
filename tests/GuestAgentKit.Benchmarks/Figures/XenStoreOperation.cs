namespace GuestAgentKit.Benchmarks.Figures;

/// <summary>What B5 repeats.</summary>
internal enum XenStoreOperation
{
    /// <summary>XS_READ of one small node.</summary>
    Read,

    /// <summary>XS_WRITE of one small node (15-byte value).</summary>
    Write,
}
