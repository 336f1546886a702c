namespace GuestAgentKit.Interop.Tests.Harness;

/// <summary>Moves a block of bytes through a stream pair, writing and reading at once (a ring or a tty holds far less than the block).</summary>
internal static class ByteTransfer
{
    /// <summary>An odd write size, so writes straddle ring wrap-arounds and pty buffer boundaries.</summary>
    private const int Chunk = 3001;

    /// <summary>Writes <paramref name="data"/> to <paramref name="writer"/> while reading as many bytes from <paramref name="reader"/>.</summary>
    /// <returns>What was read (compare it with <paramref name="data"/>).</returns>
    public static async Task<byte[]> SendAsync(Stream writer, byte[] data, Stream reader, CancellationToken cancellationToken)
    {
        var write = Task.Run(
            async () =>
            {
                for (var offset = 0; offset < data.Length; offset += Chunk)
                {
                    await writer.WriteAsync(data.AsMemory(offset, Math.Min(Chunk, data.Length - offset)), cancellationToken);
                }
            },
            cancellationToken);
        var received = new byte[data.Length];
        var total = 0;
        while (total < received.Length)
        {
            var read = await reader.ReadAsync(received.AsMemory(total), cancellationToken);
            Assert.True(read > 0, $"the stream ended after {total} of {data.Length} bytes");
            total += read;
        }

        await write;
        return received;
    }
}
