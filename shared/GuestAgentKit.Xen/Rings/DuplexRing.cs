namespace GuestAgentKit.Xen.Rings;

/// <summary>One end of a two-ring page: the ring it reads and the ring it writes.</summary>
/// <param name="Reader">The ring the peer produces into.</param>
/// <param name="Writer">The ring the peer consumes from.</param>
public sealed record DuplexRing(RingConsumer Reader, RingProducer Writer)
{
    /// <summary>The first broken-ring reason of either direction, or null while both are sound.</summary>
    public string? BrokenReason => Reader.BrokenReason ?? Writer.BrokenReason;

    /// <summary>
    /// The two indices the peer publishes (the producer index of <see cref="Reader"/>'s ring and the consumer
    /// index of <see cref="Writer"/>'s), each read once, raw: the value changes whenever the peer produced or
    /// consumed. For noticing that while spinning only; nothing is ever copied on its strength (copies go
    /// through the validated snapshots of <see cref="RingConsumer.GetReadable"/> and
    /// <see cref="RingProducer.GetWritable"/>).
    /// </summary>
    public ulong PeerProgress => ((ulong)Reader.PeerIndex << 32) | Writer.PeerIndex;
}
