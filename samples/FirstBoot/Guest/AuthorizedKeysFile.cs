using System.Diagnostics.CodeAnalysis;

namespace GuestAgentKit.Samples.FirstBoot.Guest;

/// <summary>
/// authorized_keys with a block first-boot fully manages, between <see cref="BeginMarker"/> and
/// <see cref="EndMarker"/>; keys the user or the image added outside it are kept. The block stays where
/// it was, or is appended.
/// </summary>
internal static class AuthorizedKeysFile
{
    public const string BeginMarker = "# BEGIN guestagentkit";
    public const string EndMarker = "# END guestagentkit";

    public static bool TryRender(string? existing, IEnumerable<SshPublicKey> keys, [NotNullWhen(true)] out string? text, [NotNullWhen(false)] out string? error)
    {
        var lines = TextLines.Split(existing);
        var begin = lines.FindIndex(l => l.Trim() == BeginMarker);
        var end = lines.FindIndex(l => l.Trim() == EndMarker);
        if (begin >= 0 && (end < begin || lines.FindLastIndex(l => l.Trim() == BeginMarker) != begin || lines.FindLastIndex(l => l.Trim() == EndMarker) != end))
        {
            // Guessing where a damaged block ends could delete keys someone added by hand.
            text = null;
            error = $"has a damaged managed block (expected exactly one '{BeginMarker}' followed by one '{EndMarker}'); fix or remove it by hand";
            return false;
        }

        if (begin < 0 && end >= 0)
        {
            text = null;
            error = $"has '{EndMarker}' without '{BeginMarker}'; fix or remove it by hand";
            return false;
        }

        var block = new List<string> { BeginMarker };
        block.AddRange(keys.Select(k => k.ToString()));
        block.Add(EndMarker);
        if (begin >= 0)
        {
            lines.RemoveRange(begin, end - begin + 1);
            lines.InsertRange(begin, block);
        }
        else
        {
            lines.AddRange(block);
        }

        text = TextLines.Join(lines);
        error = null;
        return true;
    }
}
