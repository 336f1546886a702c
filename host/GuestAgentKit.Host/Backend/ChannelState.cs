using GuestAgentKit.Xen.Platform;
using GuestAgentKit.XenStore;

namespace GuestAgentKit.Host.Backend;

/// <summary>The backend's record of one console of our type.</summary>
internal sealed class ChannelState(ChannelKey key, string frontendPath, string backendPath)
{
    public ChannelKey Key { get; } = key;

    public string FrontendPath { get; } = frontendPath;

    public string BackendPath { get; } = backendPath;

    public ChannelPhase Phase { get; set; }

    public XsWatch? FrontendWatch { get; set; }

    public ChannelProxy? Proxy { get; set; }

    public IEventChannel? Events { get; set; }

    public IGrantMapping? Mapping { get; set; }

    /// <summary>True when xenstored said the domain was introduced at connect time: only then does its
    /// absence after @releaseDomain mean the domain died.</summary>
    public bool WasIntroduced { get; set; }
}
