using System.Text;
using System.Text.Json;

namespace GuestAgentKit.Tests.Fuzz;

/// <summary>
/// A hostile agent for one dom0 session: reads the hello, answers it with one of many broken or
/// valid welcomes (with garbage around), then answers the first call with one of many broken or
/// valid replies, and finally hangs up, so dom0 never has to wait for a timeout.
/// </summary>
internal sealed class HostileAgent(Stream stream, Random random)
{
    public static readonly string[] WelcomeKinds =
        ["valid", "garbage-then-valid", "other-nonce-then-valid", "mutated", "wrong-types", "reject", "oversized", "garbage-only", "truncated"];

    public static readonly string[] ReplyKinds =
        ["pong", "wrong-id", "wrong-result-type", "error", "error-wrong-types", "garbage", "marker", "oversized", "deep-nesting", "nothing", "bad-utf8", "duplicate"];

    public string WelcomeKind { get; private set; } = string.Empty;

    public string ReplyKind { get; private set; } = string.Empty;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            var hello = await ReadLineAsync(cancellationToken);
            var nonce = JsonDocument.Parse(hello.AsMemory(1)).RootElement.GetProperty("nonce").GetString()!;
            WelcomeKind = WelcomeKinds[random.Next(WelcomeKinds.Length)];
            await WriteAsync(Welcome(WelcomeKind, nonce), cancellationToken);
            if (WelcomeKind is "valid" or "garbage-then-valid" or "other-nonce-then-valid")
            {
                var request = await ReadLineAsync(cancellationToken);
                var id = JsonDocument.Parse(request).RootElement.GetProperty("id").GetRawText();
                ReplyKind = ReplyKinds[random.Next(ReplyKinds.Length)];
                await WriteAsync(Reply(ReplyKind, id), cancellationToken);
            }
        }
        catch (IOException)
        {
            // dom0 gave up first (it closed the socket), or ended the session before calling: fine.
        }
        finally
        {
            stream.Dispose(); // hang up: dom0 sees end of stream instead of waiting for a timeout
        }
    }

    private byte[] Welcome(string kind, string nonce)
    {
        var valid = $"\xff{{\"gak\":\"welcome\",\"nonce\":\"{nonce}\",\"version\":1,\"agent\":{{\"name\":\"evil\",\"version\":\"6.6.6\"}},\"methods\":[\"agent.ping\"]}}\n";
        string Garbage() => Encoding.Latin1.GetString(RandomBytes(random.Next(1, 500)));
        var text = kind switch
        {
            "valid" => valid,
            "garbage-then-valid" => Garbage().Replace('\xff', '?') + "\n" + valid,
            "other-nonce-then-valid" => valid.Replace(nonce, "0badc0de", StringComparison.Ordinal) + valid,
            "mutated" => Mutate(valid),
            "wrong-types" => $"\xff{{\"gak\":\"welcome\",\"nonce\":\"{nonce}\",\"version\":{Pick("\"1\"", "1.5", "null", "[1]", "2", "-1", "4294967297")}," +
                $"\"agent\":{Pick("null", "\"x\"", "{}", "{\"name\":1,\"version\":[]}", "{\"name\":\"a\",\"version\":\"b\"}")}," +
                $"\"methods\":{Pick("null", "\"agent.ping\"", "[null]", "[1,2]", "{}", "[]")}}}\n",
            "reject" => $"\xff{{\"gak\":\"reject\",\"nonce\":\"{nonce}\",\"channel\":{Pick("null", "\"x\"", "5")},\"versions\":{Pick("null", "[]", "[\"a\"]", "[1]")}," +
                $"\"reason\":{Pick("\"name-mismatch\"", "\"version-mismatch\"", "\"malformed-hello\"", "null", "\"\"", "7")},\"message\":{Pick("null", "\"m\"", "[]")}}}\n",
            "oversized" => "\xff{\"gak\":\"welcome\",\"nonce\":\"" + nonce + "\",\"x\":\"" + new string('z', 70_000) + "\"}\n",
            "garbage-only" => Garbage(),
            _ => valid[..random.Next(1, valid.Length - 1)],
        };
        return Encoding.Latin1.GetBytes(text);
    }

    private byte[] Reply(string kind, string id) => kind switch
    {
        "pong" => Utf8($"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"result\":\"pong\"}}\n"),
        "wrong-id" => Utf8($"{{\"jsonrpc\":\"2.0\",\"id\":{Pick("99999", "\"x\"", "null", "{}", "1.5", "-1")},\"result\":\"pong\"}}\n"),
        "wrong-result-type" => Utf8($"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"result\":{Pick("5", "null", "{}", "[\"pong\"]", "true", "1e999")}}}\n"),
        "error" => Utf8($"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"error\":{{\"code\":{random.Next(int.MinValue, int.MaxValue)},\"message\":\"{new string('e', random.Next(0, 5000))}\"}}}}\n"),
        "error-wrong-types" => Utf8($"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"error\":{Pick("null", "5", "\"boom\"", "{}", "{\"code\":\"x\"}", "{\"code\":1,\"message\":null,\"data\":{\"stack\":[1]}}")}}}\n"),
        "garbage" => [.. RandomBytes(random.Next(1, 3000)).Select(b => b == 0xFF ? (byte)'?' : b), (byte)'\n'],
        "marker" => [HostileLines.Marker, .. Utf8($"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"result\":\"pong\"}}\n")],
        "oversized" => Utf8($"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"result\":\"{new string('p', (1 << 20) + 10)}\"}}\n"),
        "deep-nesting" => Utf8(new string('[', 100_000) + "\n"),
        "nothing" => [],
        "bad-utf8" => [.. Utf8($"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"result\":\""), 0xC3, 0x28, 0xF0, 0x80, .. "\"}\n"u8],
        _ => Utf8($"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"result\":\"pong\"}}\n{{\"jsonrpc\":\"2.0\",\"id\":{id},\"result\":\"again\"}}\n"),
    };

    private string Mutate(string line)
    {
        var chars = line.ToCharArray();
        for (var flips = random.Next(1, 4); flips > 0; flips--)
        {
            chars[random.Next(1, chars.Length - 1)] = (char)random.Next(32, 127);
        }

        return new string(chars);
    }

    private string Pick(params string[] choices) => choices[random.Next(choices.Length)];

    private byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private async Task WriteAsync(byte[] bytes, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(bytes, cancellationToken);
        await stream.FlushAsync(cancellationToken);
    }

    private async Task<byte[]> ReadLineAsync(CancellationToken cancellationToken)
    {
        var line = new List<byte>();
        var one = new byte[1];
        while (true)
        {
            if (await stream.ReadAsync(one, cancellationToken) == 0)
            {
                throw new EndOfStreamException();
            }

            if (one[0] == '\n')
            {
                return [.. line];
            }

            line.Add(one[0]);
        }
    }
}
