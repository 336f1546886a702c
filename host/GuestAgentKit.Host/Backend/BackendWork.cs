using GuestAgentKit.Xen;

namespace GuestAgentKit.Host.Backend;

/// <summary>
/// What the backend's next pass must look at, collected from watch events: the channels whose nodes changed,
/// the domains whose list of devices may have changed, whether every domain's may have (a rescan), and whether a
/// domain died. A pass then costs xenstore requests for what changed, not for every channel: stepping all N
/// channels on each of the N channels' events made connecting N channels O(N^2) requests and kept the daemon busy
/// long after; listing every domain's devices whenever one domain got its backend directory did the same.
/// Take <see cref="Next"/> BEFORE <see cref="Take"/>, so work marked in between is not lost.
/// </summary>
internal sealed class BackendWork
{
    private readonly Lock _gate = new();
    private readonly WakeSignal _signal = new();
    private HashSet<ChannelKey> _channels = [];
    private HashSet<DomainId> _domains = [];
    private bool _rescan = true; // the first pass lists everything
    private bool _released;

    /// <summary>Completes when work is marked after this was read.</summary>
    public Task Next => _signal.Next;

    /// <summary>The list of domains or devices may have changed: list them all on the next pass.</summary>
    public void Rescan()
    {
        lock (_gate)
        {
            _rescan = true;
        }

        _signal.Set();
    }

    /// <summary>The backend directory of <paramref name="domain"/> changed: list its devices on the next pass.</summary>
    public void Domain(DomainId domain)
    {
        lock (_gate)
        {
            _domains.Add(domain);
        }

        _signal.Set();
    }

    /// <summary>Something of <paramref name="key"/> changed (its nodes, its frontend, its proxy failed).</summary>
    public void Channel(ChannelKey key)
    {
        lock (_gate)
        {
            _channels.Add(key);
        }

        _signal.Set();
    }

    /// <summary>A domain died (<c>@releaseDomain</c>): every connected channel checks whether it was its own.</summary>
    public void DomainReleased()
    {
        lock (_gate)
        {
            _released = true;
        }

        _signal.Set();
    }

    /// <summary>Takes the marked work, leaving none.</summary>
    public (bool Rescan, HashSet<DomainId> Domains, bool Released, HashSet<ChannelKey> Channels) Take()
    {
        lock (_gate)
        {
            var taken = (_rescan, _domains, _released, _channels);
            _rescan = false;
            _domains = [];
            _released = false;
            _channels = [];
            return taken;
        }
    }
}
