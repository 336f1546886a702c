namespace GuestAgentKit.Xen.Rings;

/// <summary>Outcome of a ring operation.</summary>
public enum RingStatus
{
    /// <summary>The indices were valid; the operation did what it could (possibly nothing: empty or full).</summary>
    Ok,

    /// <summary>
    /// The peer published indices that cannot be valid (<c>(u32)(prod - cons) &gt; size</c>). Nothing was
    /// copied; the ring stays broken for this view. Close the channel: a well-behaved peer never does this.
    /// </summary>
    Broken,
}
