using System.Text;

namespace GuestAgentKit.XenStore.Wire;

/// <summary>Builds and splits payloads made of NUL-terminated strings (<c>path\0token\0</c>).</summary>
public static class XsPayload
{
    /// <summary>Each string UTF-8 encoded and followed by a NUL.</summary>
    /// <param name="parts">The strings.</param>
    /// <returns>The payload.</returns>
    public static byte[] Strings(params ReadOnlySpan<string> parts)
    {
        var length = 0;
        foreach (var part in parts)
        {
            length += Encoding.UTF8.GetByteCount(part) + 1;
        }

        var buffer = new byte[length];
        var offset = 0;
        foreach (var part in parts)
        {
            offset += Encoding.UTF8.GetBytes(part, buffer.AsSpan(offset)) + 1;
        }

        return buffer;
    }

    /// <summary><c>path\0</c> followed by raw value bytes (the WRITE payload; the value has no NUL).</summary>
    /// <param name="path">The node path.</param>
    /// <param name="value">The value.</param>
    /// <returns>The payload.</returns>
    public static byte[] PathAndValue(string path, ReadOnlySpan<byte> value)
    {
        var pathLength = Encoding.UTF8.GetByteCount(path);
        var buffer = new byte[pathLength + 1 + value.Length];
        Encoding.UTF8.GetBytes(path, buffer);
        value.CopyTo(buffer.AsSpan(pathLength + 1));
        return buffer;
    }

    /// <summary>Splits a payload into its NUL-terminated strings. Bytes after the last NUL form one
    /// more string (a peer may omit the final NUL); an empty payload has no strings.</summary>
    /// <param name="payload">The payload.</param>
    /// <returns>The strings, invalid UTF-8 replaced rather than thrown on.</returns>
    public static IReadOnlyList<string> Split(ReadOnlySpan<byte> payload)
    {
        var result = new List<string>();
        while (!payload.IsEmpty)
        {
            var nul = payload.IndexOf((byte)0);
            var end = nul < 0 ? payload.Length : nul;
            result.Add(Encoding.UTF8.GetString(payload[..end]));
            payload = nul < 0 ? [] : payload[(nul + 1)..];
        }

        return result;
    }

    /// <summary>Checks, before sending, that a payload fits in one message.</summary>
    /// <param name="length">Payload length in bytes.</param>
    /// <param name="type">The request the payload is for, for the message.</param>
    /// <param name="subject">The path it concerns, if any, for the message.</param>
    /// <exception cref="ArgumentException">The payload exceeds <see cref="Limits.XenStorePayloadMax"/>.</exception>
    public static void EnsureFits(int length, XsMessageType type, string? subject = null)
    {
        // The message is built only on failure: this runs for every request.
        if (length > Limits.XenStorePayloadMax)
        {
            var what = subject is null ? type.ToString() : $"{type} of {subject}";
            throw new ArgumentException(
                $"xenstore {what} needs a {length}-byte payload; XENSTORE_PAYLOAD_MAX is {Limits.XenStorePayloadMax}.");
        }
    }
}
