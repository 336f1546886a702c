using GuestAgentKit.Xen;
using GuestAgentKit.XenStore;
using GuestAgentKit.XenStore.Wire;

namespace GuestAgentKit.Tests.XenStore;

/// <summary>Operation scripts that only use a dom0 client (and optionally a domain client), so the same script
/// can run against the embedded xenstored now and against Debian's real xenstored in the differential tests.</summary>
internal static class XenStoreScenarios
{
    private static readonly TimeSpan Timeout = XenStoreHarness.Timeout;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task CrudAsync(XenStoreClient dom0, string root)
    {
        Assert.Null(await dom0.ReadAsync(root + "/missing").WaitAsync(Timeout, Ct));
        await dom0.WriteAsync(root + "/a/b/c", "hello").WaitAsync(Timeout, Ct);
        Assert.Equal("hello", await dom0.ReadAsync(root + "/a/b/c").WaitAsync(Timeout, Ct));
        Assert.Equal("", await dom0.ReadAsync(root + "/a/b").WaitAsync(Timeout, Ct));
        Assert.Equal(["b"], await dom0.DirectoryAsync(root + "/a").WaitAsync(Timeout, Ct));
        await dom0.MkdirAsync(root + "/a/d").WaitAsync(Timeout, Ct);
        await dom0.MkdirAsync(root + "/a/d").WaitAsync(Timeout, Ct);
        Assert.Equal(["b", "d"], await dom0.DirectoryAsync(root + "/a").WaitAsync(Timeout, Ct));
        await dom0.WriteAsync(root + "/a/b/c", new byte[] { 0, 1, 255 }).WaitAsync(Timeout, Ct);
        Assert.Equal(new byte[] { 0, 1, 255 }, await dom0.ReadBytesAsync(root + "/a/b/c").WaitAsync(Timeout, Ct));
        await dom0.RemoveAsync(root + "/a").WaitAsync(Timeout, Ct);
        Assert.Null(await dom0.ReadAsync(root + "/a/b/c").WaitAsync(Timeout, Ct));
        Assert.Empty(await dom0.DirectoryAsync(root + "/a").WaitAsync(Timeout, Ct));
        await dom0.RemoveAsync(root + "/a").WaitAsync(Timeout, Ct);
        var error = await Assert.ThrowsAsync<XenStoreException>(() => dom0.RemoveAsync(root + "/x/y/z").WaitAsync(Timeout, Ct));
        Assert.Equal(XsErrorCode.ENOENT, error.Error);
    }

    public static async Task PermissionsAsync(XenStoreClient dom0, XenStoreClient domain, ushort domid)
    {
        var home = "/local/domain/" + domid;
        // As a toolstack does: the home first, owned by the domain; nodes dom0 creates below inherit that.
        await dom0.MkdirAsync(home).WaitAsync(Timeout, Ct);
        await dom0.SetPermissionsAsync(home, new XsPermission(XsAccess.None, new DomainId(domid))).WaitAsync(Timeout, Ct);
        await dom0.WriteAsync(home + "/name", "guest").WaitAsync(Timeout, Ct);
        await dom0.WriteAsync(home + "/secret", "s").WaitAsync(Timeout, Ct);
        await dom0.SetPermissionsAsync(home + "/secret", new XsPermission(XsAccess.None, DomainId.Dom0)).WaitAsync(Timeout, Ct);
        await dom0.WriteAsync("/private/x", "1").WaitAsync(Timeout, Ct);

        // Relative paths are under the domain's home; it owns it.
        Assert.Equal("guest", await domain.ReadAsync("name").WaitAsync(Timeout, Ct));
        await domain.WriteAsync("data/feature", "1").WaitAsync(Timeout, Ct);
        Assert.Equal("1", await dom0.ReadAsync(home + "/data/feature").WaitAsync(Timeout, Ct));
        // Implicitly created nodes inherit the parent's perms with the creator as owner.
        Assert.Equal([new XsPermission(XsAccess.None, new DomainId(domid))], await dom0.GetPermissionsAsync(home + "/data").WaitAsync(Timeout, Ct));

        var denied = await Assert.ThrowsAsync<XenStoreException>(() => domain.ReadAsync("secret").WaitAsync(Timeout, Ct));
        Assert.Equal(XsErrorCode.EACCES, denied.Error);
        denied = await Assert.ThrowsAsync<XenStoreException>(() => domain.ReadAsync("/private/x").WaitAsync(Timeout, Ct));
        Assert.Equal(XsErrorCode.EACCES, denied.Error);
        // A missing node under an unreadable parent is EACCES, not ENOENT: no existence leak.
        denied = await Assert.ThrowsAsync<XenStoreException>(() => domain.ReadAsync("/private/nothing").WaitAsync(Timeout, Ct));
        Assert.Equal(XsErrorCode.EACCES, denied.Error);
        denied = await Assert.ThrowsAsync<XenStoreException>(() => domain.WriteAsync("/private/y", "1").WaitAsync(Timeout, Ct));
        Assert.Equal(XsErrorCode.EACCES, denied.Error);

        // Read-only grant, then SET_PERMS rules.
        await dom0.SetPermissionsAsync(home + "/secret", new XsPermission(XsAccess.None, DomainId.Dom0), new XsPermission(XsAccess.Read, new DomainId(domid))).WaitAsync(Timeout, Ct);
        Assert.Equal("s", await domain.ReadAsync("secret").WaitAsync(Timeout, Ct));
        denied = await Assert.ThrowsAsync<XenStoreException>(() => domain.WriteAsync("secret", "forged").WaitAsync(Timeout, Ct));
        Assert.Equal(XsErrorCode.EACCES, denied.Error);
        denied = await Assert.ThrowsAsync<XenStoreException>(() => domain.SetPermissionsAsync("secret", new XsPermission(XsAccess.Both, new DomainId(domid))).WaitAsync(Timeout, Ct));
        Assert.Equal(XsErrorCode.EACCES, denied.Error);
        var perm = await Assert.ThrowsAsync<XenStoreException>(() => domain.SetPermissionsAsync("data", new XsPermission(XsAccess.Read, DomainId.Dom0)).WaitAsync(Timeout, Ct));
        Assert.Equal(XsErrorCode.EPERM, perm.Error);
        await domain.SetPermissionsAsync("data", new XsPermission(XsAccess.None, new DomainId(domid)), new XsPermission(XsAccess.Read, DomainId.Dom0)).WaitAsync(Timeout, Ct);
        Assert.Equal(["n" + domid, "r0"], (await domain.GetPermissionsAsync("data").WaitAsync(Timeout, Ct)).Select(p => p.ToString()));
    }
}
