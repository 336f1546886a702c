using System.Buffers;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using GuestAgentKit.Channels;

namespace GuestAgentKit.Protocol;

/// <summary>
/// Encodes and decodes the handshake lines (docs/protocol.md "Handshake"). Every encoded line is
/// <c>0xFF</c> + one JSON object + <c>\n</c>.
/// </summary>
internal static class Handshake
{
    public const string NameMismatch = "name-mismatch";
    public const string VersionMismatch = "version-mismatch";
    public const string MalformedHello = "malformed-hello";

    // Escape only what JSON requires (", \, control characters); quotes and non-ASCII stay readable.
    // UTF-8 output can never contain the 0xFF marker.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A fresh nonce: <see cref="Limits.HandshakeNonceBytes"/> random bytes as lowercase hex.</summary>
    public static string NewNonce() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(Limits.HandshakeNonceBytes));

    public static byte[] EncodeHello(string nonce, ChannelName channel, IReadOnlyList<int> versions) =>
        Encode(new() { Gak = HandshakeMessage.Hello, Nonce = nonce, Channel = channel.Value, Versions = [.. versions] });

    public static byte[] EncodeWelcome(string nonce, int version, AgentIdentity agent, IReadOnlyList<string> methods) =>
        Encode(new() { Gak = HandshakeMessage.Welcome, Nonce = nonce, Version = version, Agent = agent, Methods = [.. methods] });

    public static byte[] EncodeReject(string nonce, string reason, string message, ChannelName channel, IReadOnlyList<int> versions) =>
        Encode(new()
        {
            Gak = HandshakeMessage.Reject,
            Nonce = nonce,
            Channel = channel.Value,
            Versions = [.. versions],
            Reason = reason,
            Message = message,
        });

    private static byte[] Encode(HandshakeMessage message)
    {
        var line = new ArrayBufferWriter<byte>();
        line.Write([ChannelFrameReader.Marker]);
        using (var writer = new Utf8JsonWriter(line, WriterOptions))
        {
            JsonSerializer.Serialize(writer, message, ProtocolJsonContext.Default.HandshakeMessage);
        }

        line.Write("\n"u8);
        return line.WrittenSpan.ToArray();
    }

    /// <summary>Decodes a handshake line (without marker and LF).</summary>
    /// <returns>The message, or null when the line is not a JSON object of the handshake shape.</returns>
    public static HandshakeMessage? TryDecode(ReadOnlySpan<byte> line)
    {
        try
        {
            var message = JsonSerializer.Deserialize(line, ProtocolJsonContext.Default.HandshakeMessage);
            return message?.Gak is null ? null : message;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Whether a hello's nonce is one an agent may echo: 1 to 64 lowercase hex digits.</summary>
    public static bool IsValidNonce(string? nonce) =>
        nonce is { Length: > 0 and <= Limits.HandshakeNonceMaxChars } && nonce.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');
}
