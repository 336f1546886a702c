using System.Globalization;

namespace GuestAgentKit.Xen.Platform.Loopback;

/// <summary>The file names of the loopback directory convention (docs/loopback.md), in one place.</summary>
/// <param name="Root">The loopback root directory <c>R</c>.</param>
internal sealed record LoopbackPaths(string Root)
{
    public string Domain(DomainId domain) => Path.Combine(Root, "domains", domain.ToString());

    public string Grants(DomainId domain) => Path.Combine(Root, "grants", domain.ToString());

    public string Grant(DomainId domain, GrantRef grant) => Path.Combine(Grants(domain), grant.ToString());

    public string EventChannels(DomainId domain) => Path.Combine(Root, "evtchn", domain.ToString());

    public string Port(DomainId domain, EventChannelPort port) => Path.Combine(EventChannels(domain), port.ToString());

    public string Peer(DomainId domain, EventChannelPort port) => Port(domain, port) + ".peer";

    public string Unbound(DomainId domain, EventChannelPort port) => Port(domain, port) + ".unbound";

    /// <summary>
    /// Replaces a small text file in one step (write a temporary file, rename over), so a reader in
    /// another process never sees it half-written.
    /// </summary>
    public static void WriteAtomically(string path, string text)
    {
        var directory = Path.GetDirectoryName(path)!;
        var temporary = Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}"));
        File.WriteAllText(temporary, text);
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Reads a small text file another process owns; null when it does not exist (or vanished).</summary>
    public static string? TryReadText(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
    }
}
