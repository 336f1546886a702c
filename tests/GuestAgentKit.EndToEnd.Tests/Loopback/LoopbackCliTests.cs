using System.Diagnostics;
using GuestAgentKit.XenStore;

namespace GuestAgentKit.EndToEnd.Tests.Loopback;

/// <summary><c>gak-host loopback</c> as separate processes: start in the foreground, create/list/destroy against it.</summary>
public sealed class LoopbackCliTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task LoopbackStart_CreateListDestroyThenSigterm_GuestServedAndRootRemoved()
    {
        var ct = TestContext.Current.CancellationToken;
        var root = Path.Combine(Path.GetTempPath(), "gak-e2e-" + Guid.NewGuid().ToString("N")[..12]);
        using var start = Process.Start(HostInfo("loopback", "start", "--dir", root))!;
        try
        {
            var ready = await start.StandardOutput.ReadLineAsync(ct).AsTask().WaitAsync(Timeout, ct);
            Assert.Equal($"ready {root} {Path.Combine(root, "xenstored", "socket")}", ready);

            var created = await RunAsync(ct, "loopback", "create", "--dir", root, "--name", "web");
            Assert.Equal("1", created.Trim());
            var xenbus = Path.Combine(root, "guests", "1", "xenbus");
            var listed = await RunAsync(ct, "loopback", "list", "--dir", root);
            Assert.Contains("web", listed, StringComparison.Ordinal);

            // The guest emulator boots on @introduceDomain; its xenbus socket answers as domain 1.
            await using (var guest = await ConnectWhenPresentAsync(xenbus, ct))
            {
                Assert.Equal("web", await guest.ReadAsync("name", ct).WaitAsync(Timeout, ct));
            }

            Assert.Contains("hvc0", await RunAsync(ct, "loopback", "list", "--dir", root), StringComparison.Ordinal);
            await RunAsync(ct, "loopback", "destroy", "--dir", root, "web");
            Assert.DoesNotContain("web", await RunAsync(ct, "loopback", "list", "--dir", root), StringComparison.Ordinal);

            Process.Start("kill", ["-TERM", start.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
            await start.WaitForExitAsync(ct).WaitAsync(Timeout, ct);
            Assert.Equal(0, start.ExitCode);
            Assert.False(Directory.Exists(root));
        }
        finally
        {
            if (!start.HasExited)
            {
                start.Kill();
            }
        }
    }

    private static async Task<XenStoreClient> ConnectWhenPresentAsync(string path, CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return await XenStoreClient.ConnectAsync(XenStoreEndpoint.FromPath(path), ct).WaitAsync(Timeout, ct);
            }
            catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException && deadline.Elapsed < Timeout)
            {
                // `create` returns once xenstored has the domain; the other process boots the guest right after.
                await Task.Delay(50, ct);
            }
        }
    }

    private static ProcessStartInfo HostInfo(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "gak-host.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return info;
    }

    private static async Task<string> RunAsync(CancellationToken ct, params string[] args)
    {
        using var process = Process.Start(HostInfo(args))!;
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct).WaitAsync(Timeout, ct);
        Assert.True(process.ExitCode == 0, $"gak-host {string.Join(' ', args)}: exit {process.ExitCode}: {await error}");
        return await output;
    }
}
