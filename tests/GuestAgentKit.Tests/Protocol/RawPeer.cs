using System.Text;
using System.Text.Json;

namespace GuestAgentKit.Tests.Protocol;

/// <summary>A hand-written peer that speaks docs/protocol.md byte by byte, for checking the wire format.</summary>
internal sealed class RawPeer(Stream stream)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    public Task WriteAsync(string text) => WriteAsync(Encoding.UTF8.GetBytes(text));

    public async Task WriteAsync(byte[] bytes)
    {
        await stream.WriteAsync(bytes, TestContext.Current.CancellationToken).AsTask().WaitAsync(Wait, TestContext.Current.CancellationToken);
        await stream.FlushAsync(TestContext.Current.CancellationToken).WaitAsync(Wait, TestContext.Current.CancellationToken);
    }

    /// <summary>Reads bytes up to and including the next LF.</summary>
    public async Task<byte[]> ReadLineAsync()
    {
        var line = new List<byte>();
        var one = new byte[1];
        while (true)
        {
            var read = await stream.ReadAsync(one, TestContext.Current.CancellationToken).AsTask().WaitAsync(Wait, TestContext.Current.CancellationToken);
            if (read == 0)
            {
                throw new EndOfStreamException("peer closed; got so far: " + Encoding.UTF8.GetString([.. line]));
            }

            line.Add(one[0]);
            if (one[0] == '\n')
            {
                return [.. line];
            }
        }
    }

    /// <summary>Reads lines until one starts with 0xFF and parses as JSON with this nonce; returns its JSON.</summary>
    public async Task<JsonElement> ReadHandshakeAnswerAsync(string nonce)
    {
        while (true)
        {
            var line = await ReadLineAsync();
            if (line[0] != 0xFF)
            {
                continue;
            }

            using var document = JsonDocument.Parse(line.AsMemory(1));
            if (document.RootElement.GetProperty("nonce").GetString() == nonce)
            {
                return document.RootElement.Clone();
            }
        }
    }

    /// <summary>Sends marker + hello and returns the agent's answer.</summary>
    public async Task<JsonElement> HelloAsync(string nonce, string channel, string versions = "[1]")
    {
        await WriteAsync([0xFF, .. Encoding.UTF8.GetBytes($"{{\"gak\":\"hello\",\"nonce\":\"{nonce}\",\"channel\":\"{channel}\",\"versions\":{versions}}}\n")]);
        return await ReadHandshakeAnswerAsync(nonce);
    }

    public async Task<JsonElement> ReadJsonLineAsync()
    {
        var line = await ReadLineAsync();
        using var document = JsonDocument.Parse(line);
        return document.RootElement.Clone();
    }
}
