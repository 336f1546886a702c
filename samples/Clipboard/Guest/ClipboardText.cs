using System.Text;

namespace GuestAgentKit.Samples.Clipboard.Guest;

/// <summary>UTF-8 conversion with the size bound, shared by every backend.</summary>
internal static class ClipboardText
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Checks the bound and returns the UTF-8 bytes.</summary>
    public static byte[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        try
        {
            // Cheap upper bound first: at most 3 bytes per UTF-16 unit.
            var count = text.Length <= ClipboardLimits.MaxTextBytes / 3 ? 0 : StrictUtf8.GetByteCount(text);
            if (count > ClipboardLimits.MaxTextBytes)
            {
                throw new ClipboardTooLargeException(count);
            }

            return StrictUtf8.GetBytes(text);
        }
        catch (EncoderFallbackException e)
        {
            throw new ClipboardException("clipboard text is not valid Unicode (unpaired surrogate)", e);
        }
    }

    /// <summary>Decodes tool output, which must be UTF-8 text.</summary>
    public static string Decode(ReadOnlySpan<byte> bytes, string tool)
    {
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new ClipboardException($"{tool} returned clipboard data that is not UTF-8 text", e);
        }
    }
}
