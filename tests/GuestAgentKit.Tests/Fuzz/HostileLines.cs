using System.Globalization;
using System.Text;

namespace GuestAgentKit.Tests.Fuzz;

/// <summary>
/// Generates what a hostile or broken peer writes on a channel (docs/protocol.md): random bytes,
/// truncated, mutated and oversized handshake lines, JSON-RPC lines with wrong types and unknown
/// methods, deep nesting, bad UTF-8 and markers in the middle of lines. Each case names its kind so
/// a failure can be replayed from the seed and the kind.
/// </summary>
internal sealed class HostileLines(Random random)
{
    public const byte Marker = 0xFF;

    /// <summary>Kinds of case, in the order <see cref="Next"/> draws them.</summary>
    public static readonly string[] Kinds =
    [
        "random-bytes", "truncated-hello", "mutated-hello", "oversized-hello", "wrong-type-hello",
        "rpc-unknown-method", "rpc-wrong-types", "rpc-valid", "deep-nesting", "bad-utf8",
        "marker-mid-line", "oversized-line", "control-bytes", "rpc-response",
    ];

    private static readonly string[] Values =
    [
        "null", "true", "0", "-1", "1e308", "-0.5", "18446744073709551616", "\"\"", "\"x\"", "[]", "{}", "[1,[2,[3]]]",
        "{\"a\":null}", "\"\\u0000\"", "\"\\ud800\"", "99999999999999999999999999999", "\"agent.ping\"",
    ];

    private static readonly string[] Methods =
    [
        "agent.ping", "test.echo", "test.big", "test.fail", "no.such", "", "agent.", ".ping", "$/cancelRequest",
        "rpc.discover", "test.echo\u0000", "AGENT.PING", "agent.ping.extra", "test.hang",
    ];

    /// <summary>Whether a kind is meant for a JSON-RPC session (rather than the handshake).</summary>
    public static bool NeedsSession(string kind) =>
        kind is "rpc-unknown-method" or "rpc-wrong-types" or "rpc-valid" or "deep-nesting" or "bad-utf8" or "oversized-line" or "control-bytes" or "marker-mid-line"
            or "rpc-response";

    /// <summary>Whether oversized (over 1 MiB) lines may be drawn; they dominate the run time when frequent.</summary>
    public int OversizedPerMille { get; init; } = 2;

    /// <summary>A valid hello line (marker included).</summary>
    public static byte[] Hello(string nonce, string channel, string versions = "[1]") =>
        [Marker, .. Encoding.UTF8.GetBytes($"{{\"gak\":\"hello\",\"nonce\":\"{nonce}\",\"channel\":\"{channel}\",\"versions\":{versions}}}\n")];

    public (string Kind, byte[] Bytes) Next(string channel)
    {
        var kind = Kinds[random.Next(Kinds.Length)];
        if (kind == "oversized-line" && random.Next(1000) >= OversizedPerMille)
        {
            kind = "random-bytes";
        }

        return (kind, kind switch
        {
            "random-bytes" => RandomBytes(random.Next(1, 2000)),
            "truncated-hello" => Hello(Nonce(), channel)[..random.Next(1, 60)],
            "mutated-hello" => Mutate(Hello(Nonce(), random.Next(4) == 0 ? "org.example.other" : channel, VersionsText())),
            "oversized-hello" => [Marker, .. "{\"gak\":\"hello\",\"nonce\":\""u8, .. Repeat((byte)'a', 64 * 1024 + random.Next(1, 4096)), .. "\"}\n"u8],
            "wrong-type-hello" => [Marker, .. Encoding.UTF8.GetBytes($"{{\"gak\":{Value()},\"nonce\":{Value()},\"channel\":{Value()},\"versions\":{Value()}}}\n")],
            "rpc-unknown-method" => Line($"{{\"jsonrpc\":\"2.0\",\"id\":{random.Next()},\"method\":\"x.{random.Next()}\",\"params\":[]}}"),
            "rpc-wrong-types" => Line($"{{\"jsonrpc\":{Value()},\"id\":{Value()},\"method\":{MethodOrValue()},\"params\":{Value()}}}"),
            "rpc-response" => Line(random.Next(2) == 0
                ? $"{{\"jsonrpc\":\"2.0\",\"id\":{Value()},\"result\":{Value()}}}"
                : $"{{\"jsonrpc\":\"2.0\",\"id\":{Value()},\"error\":{{\"code\":{random.Next(-32800, 1)},\"message\":{Value()}}}}}"),
            "rpc-valid" => Line($"{{\"jsonrpc\":\"2.0\",\"id\":{random.Next()},\"method\":\"{Methods[random.Next(Methods.Length)]}\",\"params\":{ParamsText()}}}"),
            "deep-nesting" => DeepNesting(),
            "bad-utf8" => [.. "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"test.echo\",\"params\":{\"text\":\""u8, .. RandomHighBytes(), .. "\"}}\n"u8],
            "marker-mid-line" => [.. "{\"jsonrpc\":\"2.0\",\"id\":7,\"meth"u8, Marker, .. RandomBytes(random.Next(0, 40)), (byte)'\n'],
            "oversized-line" => [.. "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"test.echo\",\"params\":{\"text\":\""u8, .. Repeat((byte)'y', (1 << 20) + random.Next(1, 8192)), .. "\"}}\n"u8],
            _ => [.. Enumerable.Range(0, random.Next(1, 64)).Select(_ => (byte)random.Next(0, 32)), (byte)'\n'],
        });
    }

    /// <summary>A nonce: mostly valid hex, sometimes too long, empty or not hex.</summary>
    public string Nonce() => random.Next(8) switch
    {
        0 => new string('f', random.Next(60, 80)),
        1 => string.Empty,
        2 => "XYZ-" + random.Next(),
        _ => random.NextInt64().ToString("x", CultureInfo.InvariantCulture),
    };

    private string VersionsText() => random.Next(6) switch
    {
        0 => "[]",
        1 => "[" + string.Join(",", Enumerable.Range(0, 20)) + "]",
        2 => "[2,3]",
        3 => "[" + Value() + "]",
        _ => "[1]",
    };

    private string ParamsText() => random.Next(5) switch
    {
        0 => "[]",
        1 => "{\"text\":" + Value() + "}",
        2 => "{\"length\":" + random.Next(-5, 3_000_000) + "}",
        3 => "[" + Value() + "," + Value() + "]",
        _ => "{\"text\":\"hi " + random.Next() + "\"}",
    };

    private string Value() => Values[random.Next(Values.Length)];

    private string MethodOrValue() => random.Next(2) == 0 ? "\"" + Methods[random.Next(Methods.Length)] + "\"" : Value();

    private byte[] DeepNesting()
    {
        var depth = random.Next(2) == 0 ? 100_000 : random.Next(60, 5000);
        return random.Next(2) == 0
            ? [.. Repeat((byte)'[', depth), (byte)'\n']
            : [.. Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("{\"a\":", depth))), .. Repeat((byte)'}', depth), (byte)'\n'];
    }

    private byte[] Mutate(byte[] line)
    {
        for (var flips = random.Next(1, 4); flips > 0; flips--)
        {
            var at = random.Next(1, line.Length - 1); // keep the marker and the LF, so it stays a handshake line
            line[at] = (byte)random.Next(32, 127);
        }

        return line;
    }

    private byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    private byte[] RandomHighBytes() => [.. Enumerable.Range(0, random.Next(1, 32)).Select(_ => (byte)random.Next(0x80, 0xFF))];

    private static byte[] Line(string json) => Encoding.UTF8.GetBytes(json + "\n");

    private static byte[] Repeat(byte value, int count)
    {
        var bytes = new byte[count];
        Array.Fill(bytes, value);
        return bytes;
    }
}
