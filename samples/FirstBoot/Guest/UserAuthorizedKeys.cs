namespace GuestAgentKit.Samples.FirstBoot.Guest;

/// <summary>
/// The SSH public keys one local user accepts. They replace the managed block of the user's
/// authorized_keys; an empty list empties the block. Lines outside the block are kept.
/// </summary>
public sealed record UserAuthorizedKeys
{
    /// <summary>A user that exists in the guest's /etc/passwd.</summary>
    public required string User { get; init; }

    /// <summary>OpenSSH public key lines: <c>type base64-blob [comment]</c> (no options prefix).</summary>
    public required IReadOnlyList<string> Keys { get; init; }
}
