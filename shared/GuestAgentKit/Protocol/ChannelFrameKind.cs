namespace GuestAgentKit.Protocol;

/// <summary>What <see cref="ChannelFrameReader"/> found next in the byte stream.</summary>
internal enum ChannelFrameKind
{
    /// <summary>A resync marker byte 0xFF (<see cref="ChannelFrameReader.Marker"/>).</summary>
    Marker,

    /// <summary>A complete line within the cap (LF and one trailing CR removed).</summary>
    Line,

    /// <summary>A line longer than the cap ended; its bytes were discarded without being buffered.</summary>
    Oversized,

    /// <summary>The stream ended (EOF); an unfinished line before it was discarded.</summary>
    EndOfStream,
}
