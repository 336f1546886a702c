namespace GuestAgentKit.Protocol;

/// <summary>One item read from a channel stream.</summary>
/// <param name="Kind">Marker, line, oversized line or end of stream.</param>
/// <param name="Line">The line bytes for <see cref="ChannelFrameKind.Line"/>; valid only until the next read.</param>
/// <param name="Length">The line length in bytes (for an oversized line, the whole discarded length).</param>
internal readonly record struct ChannelFrame(ChannelFrameKind Kind, ReadOnlyMemory<byte> Line, long Length)
{
    public static ChannelFrame MarkerFrame => new(ChannelFrameKind.Marker, default, 0);

    public static ChannelFrame EndFrame => new(ChannelFrameKind.EndOfStream, default, 0);
}
