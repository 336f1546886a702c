using System.Globalization;

namespace GuestAgentKit.EndToEnd.Tests.Faults;

/// <summary>What a process holds, counted from /proc: open descriptors, those that are sockets, those that are
/// loopback event channel FIFOs (<c>R/evtchn/...</c>), mappings of loopback grant pages (<c>R/grants/...</c> in
/// /proc/PID/maps), and resident memory.</summary>
/// <param name="Fds">Entries of /proc/PID/fd.</param>
/// <param name="Sockets">Descriptors whose link is <c>socket:[...]</c>.</param>
/// <param name="EventChannels">Descriptors open on <c>R/evtchn/</c>.</param>
/// <param name="GrantMappings">Lines of /proc/PID/maps naming <c>R/grants/</c>.</param>
/// <param name="ResidentKiB">VmRSS.</param>
internal sealed record ProcessResources(int Fds, int Sockets, int EventChannels, int GrantMappings, long ResidentKiB)
{
    /// <summary>Counts now; <paramref name="root"/> is the loopback root whose files are counted.</summary>
    public static ProcessResources Of(int pid, string root)
    {
        var links = new List<string>();
        foreach (var fd in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
        {
            try
            {
                links.Add(new FileInfo(fd).LinkTarget ?? string.Empty);
            }
            catch (IOException)
            {
                // closed while we looked
            }
        }

        var grants = Path.Combine(root, "grants") + "/";
        var rss = File.ReadLines($"/proc/{pid}/status")
            .Where(line => line.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Select(line => long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture))
            .Single();
        return new ProcessResources(
            links.Count,
            links.Count(l => l.StartsWith("socket:", StringComparison.Ordinal)),
            links.Count(l => l.StartsWith(Path.Combine(root, "evtchn") + "/", StringComparison.Ordinal)),
            File.ReadLines($"/proc/{pid}/maps").Count(line => line.Contains(grants, StringComparison.Ordinal)),
            rss);
    }

    /// <summary>
    /// True when this holds nothing more than <paramref name="baseline"/>: no more descriptors, sockets, event channels
    /// or grant mappings. Fewer is fine: a baseline snapshot can catch something transient (a connection being set up)
    /// that is gone later, and a leak shows as more, never as fewer.
    /// </summary>
    public bool HoldsNoMoreThan(ProcessResources baseline) =>
        Fds <= baseline.Fds && Sockets <= baseline.Sockets && EventChannels <= baseline.EventChannels && GrantMappings <= baseline.GrantMappings;

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Fds} fds ({Sockets} sockets, {EventChannels} event channels), {GrantMappings} grant mappings, RSS {ResidentKiB} KiB");
}
