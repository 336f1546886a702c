namespace GuestAgentKit.Interop.Tests.RealXen;

/// <summary>Debian's xenstore-* tools against Debian's real xenstored and oxenstored on the loopback.</summary>
public sealed class XenStoreToolsTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData(XenStoredKind.C)]
    [InlineData(XenStoredKind.OCaml)]
    public async Task WriteReadLsRm_RealDaemon_RoundTrips(XenStoredKind kind)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var store = await RealXenStored.StartAsync(kind, ct).WaitAsync(RealXenStored.StartTimeout, ct);

        Succeeded(await store.RunToolAsync("xenstore-write", "/gak/a", "1", "/gak/b", "two words"));
        Assert.Equal("two words", Succeeded(await store.RunToolAsync("xenstore-read", "/gak/b")).TrimEnd('\n'));

        var listing = Succeeded(await store.RunToolAsync("xenstore-ls", "/gak"));
        Assert.Contains("a = \"1\"", listing, StringComparison.Ordinal);
        Assert.Contains("b = \"two words\"", listing, StringComparison.Ordinal);

        Succeeded(await store.RunToolAsync("xenstore-rm", "/gak/a"));
        var gone = await store.RunToolAsync("xenstore-read", "/gak/a");
        Assert.NotEqual(0, gone.ExitCode);
        Assert.DoesNotContain("a = ", Succeeded(await store.RunToolAsync("xenstore-ls", "/gak")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(XenStoredKind.C)]
    [InlineData(XenStoredKind.OCaml)]
    public async Task Chmod_RealDaemon_PermissionsListedWithOwnerFirst(XenStoredKind kind)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var store = await RealXenStored.StartAsync(kind, ct).WaitAsync(RealXenStored.StartTimeout, ct);

        Succeeded(await store.RunToolAsync("xenstore-write", "/gak/p", "v"));
        Succeeded(await store.RunToolAsync("xenstore-chmod", "/gak/p", "n0", "r5", "b7"));

        var listing = Succeeded(await store.RunToolAsync("xenstore-ls", "-p", "/gak"));
        Assert.Contains("(n0,r5,b7)", listing, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(XenStoredKind.C)]
    [InlineData(XenStoredKind.OCaml)]
    public async Task Watch_WriteBelowWatchedPath_ReportsPath(XenStoredKind kind)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var store = await RealXenStored.StartAsync(kind, ct).WaitAsync(RealXenStored.StartTimeout, ct);

        // -n 2: the event every new watch fires at once, then the one our write causes.
        using var watch = ChildProcess.Start(XenPackages.Tool("xenstore-watch"), ["-n", "2", "/gak/w"], store.ClientEnvironment());
        try
        {
            var first = await watch.StandardOutput.ReadLineAsync(ct).AsTask().WaitAsync(Timeout, ct);
            Assert.Equal("/gak/w", first);

            Succeeded(await store.RunToolAsync("xenstore-write", "/gak/w/x", "1"));

            var second = await watch.StandardOutput.ReadLineAsync(ct).AsTask().WaitAsync(Timeout, ct);
            Assert.Equal("/gak/w/x", second);
            await watch.WaitForExitAsync(ct).WaitAsync(Timeout, ct);
            Assert.Equal(0, watch.ExitCode);
        }
        finally
        {
            await ChildProcess.StopAsync(watch);
        }
    }

    private static string Succeeded(ProcessResult result)
    {
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.StandardOutput;
    }
}
