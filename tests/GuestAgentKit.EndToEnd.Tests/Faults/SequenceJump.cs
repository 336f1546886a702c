using System.Globalization;

namespace GuestAgentKit.EndToEnd.Tests.Faults;

/// <summary>Where a checked stream resumed somewhere else than expected.</summary>
/// <param name="At">The position expected.</param>
/// <param name="Bytes">Where it resumed minus <paramref name="At"/>: negative = that many bytes again (duplicated),
/// positive = that many bytes never delivered (lost).</param>
/// <param name="Segment">The connection it happened in (1 = the first).</param>
/// <param name="AtSegmentStart">It was the first thing that connection delivered.</param>
internal sealed record SequenceJump(long At, long Bytes, long Segment, bool AtSegmentStart)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Bytes:+#;-#;0} at {At} (connection {Segment}{(AtSegmentStart ? ", at its start" : "")})");
}
