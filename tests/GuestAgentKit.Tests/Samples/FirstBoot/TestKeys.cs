using System.Buffers.Binary;
using System.Text;

namespace GuestAgentKit.Tests.Samples.FirstBoot;

/// <summary>OpenSSH public key lines built from RFC 4253 key blobs, no ssh-keygen needed.</summary>
internal static class TestKeys
{
    public static string Line(string declaredType, string? embeddedType = null, string? comment = "alice@laptop", byte seed = 1)
    {
        var key = new byte[32];
        Array.Fill(key, seed);
        var blob = SshString(Encoding.ASCII.GetBytes(embeddedType ?? declaredType)).Concat(SshString(key)).ToArray();
        var line = $"{declaredType} {Convert.ToBase64String(blob)}";
        return comment is null ? line : $"{line} {comment}";
    }

    private static byte[] SshString(byte[] value)
    {
        var result = new byte[4 + value.Length];
        BinaryPrimitives.WriteUInt32BigEndian(result, (uint)value.Length);
        value.CopyTo(result, 4);
        return result;
    }
}
