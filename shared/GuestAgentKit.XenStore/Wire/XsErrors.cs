using System.Text;

namespace GuestAgentKit.XenStore.Wire;

/// <summary>Maps <see cref="XsErrorCode"/> to and from the names on the wire (<c>"ENOENT\0"</c>).</summary>
public static class XsErrors
{
    /// <summary>Parses an error payload (the name, optionally NUL-terminated). Never throws.</summary>
    /// <param name="payload">The payload of an <see cref="XsMessageType.Error"/> reply.</param>
    /// <returns>The code, or <see cref="XsErrorCode.Unknown"/> for any name not in <c>xsd_errors[]</c>.</returns>
    public static XsErrorCode Parse(ReadOnlySpan<byte> payload)
    {
        var nul = payload.IndexOf((byte)0);
        var name = nul >= 0 ? payload[..nul] : payload;
        // Only the exact upper-case names; Enum.TryParse would also accept digits and other casings.
        foreach (var code in Enum.GetValues<XsErrorCode>())
        {
            if (code != XsErrorCode.Unknown && name.SequenceEqual(Encoding.ASCII.GetBytes(code.ToString())))
            {
                return code;
            }
        }

        return XsErrorCode.Unknown;
    }

    /// <summary>The payload xenstored sends for <paramref name="code"/>: its name and a NUL.</summary>
    /// <param name="code">A known code.</param>
    /// <returns>For example <c>"ENOENT\0"</c> as ASCII bytes.</returns>
    public static byte[] Format(XsErrorCode code)
    {
        var name = code == XsErrorCode.Unknown ? nameof(XsErrorCode.EIO) : code.ToString();
        return Encoding.ASCII.GetBytes(name + "\0");
    }
}
