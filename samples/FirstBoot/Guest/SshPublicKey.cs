using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace GuestAgentKit.Samples.FirstBoot.Guest;

/// <summary>
/// One OpenSSH public key line, <c>type base64-blob [comment]</c> (sshd(8) AUTHORIZED_KEYS FILE FORMAT,
/// without the options prefix, which first-boot does not accept). The blob is the RFC 4253 §6.6 key
/// encoding: it starts with the key type as an SSH <c>string</c> (uint32 big-endian length + bytes),
/// which must equal the declared type, so a key pasted with the wrong type word is caught here rather
/// than silently ignored by sshd.
/// </summary>
public sealed record SshPublicKey
{
    /// <summary>Key types accepted: the ones current OpenSSH enables by default (ssh-dss is gone).</summary>
    public static IReadOnlyList<string> KnownTypes { get; } =
    [
        "ssh-ed25519",
        "ssh-rsa",
        "ecdsa-sha2-nistp256",
        "ecdsa-sha2-nistp384",
        "ecdsa-sha2-nistp521",
        "sk-ssh-ed25519@openssh.com",
        "sk-ecdsa-sha2-nistp256@openssh.com",
    ];

    private SshPublicKey(string type, string blob, string? comment)
    {
        Type = type;
        Blob = blob;
        Comment = comment;
    }

    /// <summary>The key type word, one of <see cref="KnownTypes"/>.</summary>
    public string Type { get; }

    /// <summary>The base64 key blob, as given.</summary>
    public string Blob { get; }

    /// <summary>The comment, or null.</summary>
    public string? Comment { get; }

    /// <summary>Parses one key line; on failure <paramref name="error"/> says why (without echoing the key).</summary>
    public static bool TryParse(string? line, [NotNullWhen(true)] out SshPublicKey? key, [NotNullWhen(false)] out string? error)
    {
        key = null;
        if (string.IsNullOrWhiteSpace(line))
        {
            error = "must not be empty";
            return false;
        }

        if (line.Length > FirstBootLimits.MaxKeyLineLength)
        {
            error = $"is {line.Length} characters, more than the limit of {FirstBootLimits.MaxKeyLineLength}";
            return false;
        }

        if (line.Any(c => c != '\t' && char.IsControl(c)))
        {
            error = "must be one line without control characters (no newlines)";
            return false;
        }

        var parts = line.Trim().Split([' ', '\t'], 3, StringSplitOptions.RemoveEmptyEntries);
        if (!KnownTypes.Contains(parts[0], StringComparer.Ordinal))
        {
            error = $"key type '{Quote(parts[0])}' is not one of {string.Join(", ", KnownTypes)} (options before the key are not accepted)";
            return false;
        }

        if (parts.Length < 2)
        {
            error = "has no base64 key data after the type";
            return false;
        }

        if (!TryReadEmbeddedType(parts[1], out var embedded, out error))
        {
            return false;
        }

        if (!string.Equals(embedded, parts[0], StringComparison.Ordinal))
        {
            error = $"declared type '{parts[0]}' does not match the type '{Quote(embedded)}' inside the key data";
            return false;
        }

        key = new SshPublicKey(parts[0], parts[1], parts.Length == 3 ? parts[2].Trim() : null);
        return true;
    }

    /// <summary>The normalized line: type, blob and comment separated by single spaces.</summary>
    public override string ToString() => Comment is null ? $"{Type} {Blob}" : $"{Type} {Blob} {Comment}";

    private static bool TryReadEmbeddedType(string base64, [NotNullWhen(true)] out string? type, [NotNullWhen(false)] out string? error)
    {
        type = null;
        var blob = new byte[(base64.Length * 3 / 4) + 3];
        if (!Convert.TryFromBase64String(base64, blob, out var length))
        {
            error = "key data is not valid base64";
            return false;
        }

        var data = blob.AsSpan(0, length);
        if (data.Length < 4)
        {
            error = "key data is too short to hold a key type";
            return false;
        }

        var typeLength = BinaryPrimitives.ReadUInt32BigEndian(data);
        if (typeLength == 0 || typeLength > 64 || typeLength > (uint)(data.Length - 4))
        {
            error = $"key data has an invalid key type length {typeLength}";
            return false;
        }

        var typeBytes = data.Slice(4, (int)typeLength);
        if (typeBytes.ContainsAnyExceptInRange((byte)0x21, (byte)0x7e))
        {
            error = "key data holds a non-printable key type";
            return false;
        }

        if (data.Length == 4 + (int)typeLength)
        {
            error = "key data holds a key type but no key";
            return false;
        }

        type = Encoding.ASCII.GetString(typeBytes);
        error = null;
        return true;
    }

    private static string Quote(string value) =>
        value.Length <= 40 ? value : string.Concat(value.AsSpan(0, 40), "...");
}
