using GuestAgentKit.Xen;
using GuestAgentKit.Xen.Platform.Loopback;

namespace GuestAgentKit.Tests.Xen;

/// <summary>A private loopback root with dom0 and one guest domain (its marker written), removed afterwards.</summary>
internal sealed class LoopbackRoot : IDisposable
{
    public LoopbackRoot()
    {
        Path = Directory.CreateTempSubdirectory("gak-loopback-").FullName;
        new LoopbackDomain(Path, DomainId.Dom0).WriteMarker(new LoopbackDomainInfo("Domain-0", Guid.Empty));
        Guest = new LoopbackDomain(Path, Guest1);
        Guest.WriteMarker(new LoopbackDomainInfo("guest1", Guid.NewGuid()));
    }

    public static DomainId Guest1 { get; } = new(3);

    public string Path { get; }

    public LoopbackDomain Guest { get; }

    public string File(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
