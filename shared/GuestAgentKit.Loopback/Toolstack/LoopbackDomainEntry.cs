using GuestAgentKit.Xen;
using GuestAgentKit.Xen.Platform.Loopback;

namespace GuestAgentKit.Loopback.Toolstack;

/// <summary>A domain that exists on a loopback root (its marker is there).</summary>
/// <param name="Id">The domain id.</param>
/// <param name="Info">What its marker says.</param>
/// <param name="GuestDirectory"><c>R/guests/&lt;domid&gt;</c>: where its emulated guest exposes <c>xenbus</c> and <c>hvcN</c>.</param>
public sealed record LoopbackDomainEntry(DomainId Id, LoopbackDomainInfo Info, string GuestDirectory)
{
    /// <summary>The guest's xenbus socket (stand-in for <c>/dev/xen/xenbus</c>).</summary>
    public string XenbusPath => Path.Combine(GuestDirectory, "xenbus");

    /// <summary>The guest's console devices present now (<c>hvcN</c> symlinks), sorted by number.</summary>
    /// <returns>Full paths.</returns>
    public IReadOnlyList<string> ConsoleDevices() =>
        Directory.Exists(GuestDirectory)
            ? [.. Directory.EnumerateFiles(GuestDirectory, "hvc?").Order(StringComparer.Ordinal)]
            : [];
}
