namespace GuestAgentKit.Xen.Rings;

/// <summary>
/// One snapshot of a ring's two indices, each read ONCE from the page (the peer may change them at
/// any moment: XSA-155), and validated before anything is copied.
/// </summary>
internal readonly record struct RingIndices(uint Consumer, uint Producer)
{
    /// <summary>Bytes between the indices; meaningful only when <see cref="IsValidFor"/> holds.</summary>
    public int Used => (int)(Producer - Consumer);

    public static RingIndices Snapshot(SharedPage page, RingLayout layout)
    {
        var cons = page.ReadUInt32Volatile(layout.ConsumerIndexOffset);
        var prod = page.ReadUInt32Volatile(layout.ProducerIndexOffset);
        return new RingIndices(cons, prod);
    }

    /// <summary>The invariant every Xen ring keeps: <c>(u32)(prod - cons) &lt;= sizeof(ring)</c>.</summary>
    public bool IsValidFor(RingLayout layout) => Producer - Consumer <= (uint)layout.Size;

    public string Describe(RingLayout layout) =>
        $"broken ring '{layout.Name}': {layout.Name}_cons={Consumer} {layout.Name}_prod={Producer}, " +
        $"prod - cons = {Producer - Consumer} exceeds the ring size {layout.Size}";
}
