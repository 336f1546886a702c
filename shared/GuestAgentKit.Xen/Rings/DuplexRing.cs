namespace GuestAgentKit.Xen.Rings;

/// <summary>One end of a two-ring page: the ring it reads and the ring it writes.</summary>
/// <param name="Reader">The ring the peer produces into.</param>
/// <param name="Writer">The ring the peer consumes from.</param>
public sealed record DuplexRing(RingConsumer Reader, RingProducer Writer)
{
    /// <summary>The first broken-ring reason of either direction, or null while both are sound.</summary>
    public string? BrokenReason => Reader.BrokenReason ?? Writer.BrokenReason;
}
