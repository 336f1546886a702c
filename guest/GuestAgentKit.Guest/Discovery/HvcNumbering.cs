using System.Globalization;

namespace GuestAgentKit.Guest.Discovery;

/// <summary>
/// The rule that maps <c>device/console/&lt;devid&gt;</c> to <c>/dev/hvcN</c> the way Linux hvc_xen numbers its
/// ttys (XEN-FACTS.md §4): hvc0 is the primary console (<c>/local/domain/D/console</c>, never listed under
/// <c>device/console</c>); hvc_xen takes the devid from the last character of the node name and serves
/// only 1..9; each probed console gets the first free hvc line, and consoles probe in ascending devid order,
/// so the k-th present console (k = 1, 2, ...) is hvc<i>k</i>, up to hvc7 (8 lines).
/// Gaps and hotplug can make this wrong (a console added after a higher devid probed gets a later line);
/// the agent's handshake rejects a hello for another name, so a wrong guess fails loudly, never silently.
/// </summary>
internal static class HvcNumbering
{
    /// <summary>Parses a <c>device/console</c> node name as a devid hvc_xen serves.</summary>
    /// <param name="nodeName">The node name.</param>
    /// <returns>1..9, or null when hvc_xen would reject it (0, several digits such as <c>10</c>, not a number).</returns>
    public static int? ServedDevid(string nodeName) =>
        nodeName is [var c] && c is >= '1' and <= (char)('0' + Limits.ChannelMaxDevid) ? c - '0' : null;

    /// <summary>Parses any numeric node name (for display), -1 when not a number.</summary>
    /// <param name="nodeName">The node name.</param>
    /// <returns>The number or -1.</returns>
    public static int Devid(string nodeName) =>
        nodeName.Length is > 0 and <= 9 && nodeName.All(char.IsAsciiDigit) ? int.Parse(nodeName, CultureInfo.InvariantCulture) : -1;

    /// <summary>Assigns hvc indexes to the node names present.</summary>
    /// <param name="nodeNames">Every node name under <c>device/console</c>.</param>
    /// <returns>Node name to hvc index (1..7) for the consoles that get a tty.</returns>
    public static IReadOnlyDictionary<string, int> Assign(IEnumerable<string> nodeNames) =>
        nodeNames
            .Select(n => (Node: n, Devid: ServedDevid(n)))
            .Where(x => x.Devid is not null)
            .DistinctBy(x => x.Devid)
            .OrderBy(x => x.Devid)
            .Take(Limits.HvcMaxIndex)
            .Select((x, i) => (x.Node, Index: i + 1))
            .ToDictionary(x => x.Node, x => x.Index, StringComparer.Ordinal);
}
