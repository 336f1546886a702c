namespace GuestAgentKit.Tests.Fuzz;

/// <summary>
/// Sends a known byte sequence through a stream and checks it on the far side, so a test can state
/// "N bytes checked, 0 lost, 0 duplicated, 0 reordered" (any of those shifts the sequence).
/// </summary>
internal static class SequencedStreams
{
    /// <summary>Byte <paramref name="index"/> of the sequence; 251 is prime, so the pattern never lines up with a ring size.</summary>
    public static byte At(long index) => (byte)(index % 251);

    public static async Task WriteAsync(Stream stream, long total, int chunk, CancellationToken cancellationToken)
    {
        var buffer = new byte[chunk];
        for (long sent = 0; sent < total;)
        {
            var count = (int)Math.Min(chunk, total - sent);
            for (var i = 0; i < count; i++)
            {
                buffer[i] = At(sent + i);
            }

            await stream.WriteAsync(buffer.AsMemory(0, count), cancellationToken).ConfigureAwait(false);
            sent += count;
        }
    }

    /// <summary>Reads exactly <paramref name="total"/> bytes; returns the index of the first wrong byte, or -1.</summary>
    public static async Task<long> ReadAndCheckAsync(Stream stream, long total, CancellationToken cancellationToken)
    {
        var buffer = new byte[1500];
        var firstWrong = -1L;
        for (long received = 0; received < total;)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, total - received)), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new EndOfStreamException($"the stream ended after {received} of {total} bytes");
            }

            for (var i = 0; i < read && firstWrong < 0; i++)
            {
                if (buffer[i] != At(received + i))
                {
                    firstWrong = received + i;
                }
            }

            received += read;
        }

        return firstWrong;
    }
}
