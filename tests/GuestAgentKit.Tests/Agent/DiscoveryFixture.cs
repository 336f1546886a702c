using GuestAgentKit.Tests.XenStore;
using GuestAgentKit.Xen;
using GuestAgentKit.XenStore;

namespace GuestAgentKit.Tests.Agent;

/// <summary>Writes console nodes as a toolstack would (dom0) into an embedded xenstored, and gives the guest's view.</summary>
internal static class DiscoveryFixture
{
    public const ushort Domain = 5;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Creates the domain home owned by the domain (it may read its own nodes).</summary>
    public static async Task CreateDomainAsync(XenStoreClient dom0)
    {
        await dom0.MkdirAsync($"/local/domain/{Domain}", Ct);
        await dom0.SetPermissionsAsync($"/local/domain/{Domain}", [new XsPermission(XsAccess.None, new DomainId(Domain))], Ct);
    }

    /// <summary>Writes <c>device/console/&lt;node&gt;/{name,state,backend}</c>.</summary>
    public static async Task AddConsoleAsync(XenStoreClient dom0, string node, string? name, string state = "4")
    {
        var dir = $"/local/domain/{Domain}/device/console/{node}";
        if (name is not null)
        {
            await dom0.WriteAsync(dir + "/name", name, Ct);
        }

        await dom0.WriteAsync(dir + "/state", state, Ct);
        await dom0.WriteAsync(dir + "/backend", $"/local/domain/0/backend/console/{Domain}/{node}", Ct);
    }

    public static async Task<(XenStoreHarness Harness, XenStoreClient Dom0, XenStoreClient Guest)> StartAsync()
    {
        var harness = await XenStoreHarness.StartAsync();
        var dom0 = await harness.ConnectDom0Async();
        await CreateDomainAsync(dom0);
        var guest = await harness.ConnectDomainAsync(Domain);
        return (harness, dom0, guest);
    }
}
