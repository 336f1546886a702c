using System.Diagnostics;
using System.Text.RegularExpressions;
using GuestAgentKit.Loopback.XenStored;
using GuestAgentKit.XenStore;

namespace GuestAgentKit.Interop.Tests.XenStore;

/// <summary>Debian's xenstore-utils (libxenstore) against the embedded xenstored, through XENSTORED_PATH.</summary>
public sealed class XenStoreUtilsTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly string _directory = Directory.CreateTempSubdirectory("gak-xsu-").FullName;
    private readonly EmbeddedXenStored _server = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string SocketPath => Path.Combine(_directory, "xenstored", "socket");

    public async ValueTask InitializeAsync()
    {
        Assert.SkipUnless(File.Exists("/usr/bin/xenstore-read"), "needs the Debian package xenstore-utils");
        await _server.StartAsync(SocketPath, Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task WriteThenRead_RoundTrips()
    {
        await RunAsync("xenstore-write", "/vm/name", "guest-1", "/vm/uuid", "1234");
        Assert.Equal("guest-1\n", await RunAsync("xenstore-read", "/vm/name"));
        Assert.Equal("guest-1\n1234\n", await RunAsync("xenstore-read", "/vm/name", "/vm/uuid"));
        Assert.Equal("name\nuuid\n", await RunAsync("xenstore-list", "/vm"));
    }

    [Fact]
    public async Task Read_Missing_FailsWithExitCode()
    {
        var (code, _, _) = await RunRawAsync("xenstore-read", "/nothing/here");
        Assert.NotEqual(0, code);
    }

    [Fact]
    public async Task Chmod_ThenLsP_ShowsPermissions()
    {
        await RunAsync("xenstore-write", "/local/domain/5/name", "g");
        await RunAsync("xenstore-chmod", "/local/domain/5", "n5", "r0");
        var listing = await RunAsync("xenstore-ls", "-p", "/local/domain");
        // xenstore-ls pads with dots to a column, then prints the permission list.
        Assert.Matches(new Regex("^5 = \"\"[ .]*\\(n5,r0\\)$", RegexOptions.Multiline), listing);
        Assert.Matches(new Regex("^ name = \"g\"[ .]*\\(n0\\)$", RegexOptions.Multiline), listing);

        await using var client = await XenStoreClient.ConnectAsync(XenStoreEndpoint.FromPath(SocketPath), Ct).WaitAsync(Timeout, Ct);
        Assert.Equal(["n5", "r0"], (await client.GetPermissionsAsync("/local/domain/5", Ct).WaitAsync(Timeout, Ct)).Select(p => p.ToString()));
    }

    [Fact]
    public async Task Rm_RemovesSubtree()
    {
        await RunAsync("xenstore-write", "/a/b/c", "1");
        await RunAsync("xenstore-rm", "/a");
        Assert.Equal("tool\n", await RunAsync("xenstore-list", "/"));
    }

    [Fact]
    public async Task Watch_SeesOurClientsWrite()
    {
        var psi = Start("xenstore-watch", "-n", "2", "/watched");
        using var process = Process.Start(psi)!;
        await using var client = await XenStoreClient.ConnectAsync(XenStoreEndpoint.FromPath(SocketPath), Ct).WaitAsync(Timeout, Ct);
        // The first line is the initial firing: once seen, the watch is registered.
        Assert.Equal("/watched", await process.StandardOutput.ReadLineAsync(Ct).AsTask().WaitAsync(Timeout, Ct));
        await client.WriteAsync("/watched/x", "1", Ct).WaitAsync(Timeout, Ct);
        Assert.Equal("/watched/x", await process.StandardOutput.ReadLineAsync(Ct).AsTask().WaitAsync(Timeout, Ct));
        await process.WaitForExitAsync(Ct).WaitAsync(Timeout, Ct);
        Assert.Equal(0, process.ExitCode);
    }

    private ProcessStartInfo Start(string tool, params string[] args)
    {
        var psi = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        psi.Environment["XENSTORED_PATH"] = SocketPath;
        return psi;
    }

    private async Task<string> RunAsync(string tool, params string[] args)
    {
        var (code, stdout, stderr) = await RunRawAsync(tool, args);
        Assert.True(code == 0, $"{tool} {string.Join(' ', args)} exited {code}: {stderr}");
        return stdout;
    }

    private async Task<(int Code, string Stdout, string Stderr)> RunRawAsync(string tool, params string[] args)
    {
        using var process = Process.Start(Start(tool, args))!;
        var stdout = process.StandardOutput.ReadToEndAsync(Ct);
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct).WaitAsync(Timeout, Ct);
        return (process.ExitCode, await stdout, await stderr);
    }
}
