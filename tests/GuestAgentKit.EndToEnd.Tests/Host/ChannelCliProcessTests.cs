using System.Runtime.Versioning;
using System.Text.Json;
using GuestAgentKit.EndToEnd.Tests.Agent;
using GuestAgentKit.EndToEnd.Tests.Samples;

namespace GuestAgentKit.EndToEnd.Tests.Host;

/// <summary><c>gak-host channel add|list|info|remove</c> as separate processes against the loopback and an embedded xenstored.</summary>
[SupportedOSPlatform("linux")]
public sealed class ChannelCliProcessTests
{
    private static readonly TimeSpan Timeout = LoopbackDom0.Timeout;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Channel_AddListInfoRemoveOnLoopbackWithBackend_XlColumnsJsonAndExitCodes()
    {
        await using var dom0 = await LoopbackDom0.StartAsync("gak-e2e-channel-");
        var socketPath = Path.Combine(dom0.RunDirectory, "a.sock");
        var domain = await dom0.CreateDomainAsync("web");

        var addSocket = await Tool.RunAsync("gak-host", "channel", "add", "--loopback", dom0.Root, "web", $"connection=socket, name=org.example.a.1, path={socketPath}");
        var addPty = await Tool.RunAsync("gak-host", "channel", "add", "--loopback", dom0.Root, domain, "connection=pty, name=org.example.b.1");
        var backend = await dom0.StartBackendAsync();
        await backend.WaitForTextAsync($"channel {domain}/1: connected", Timeout);
        await backend.WaitForTextAsync($"channel {domain}/2: connected", Timeout);
        var json = await ListJsonUntilConnectedAsync(dom0.Root, domain);
        var list = await Tool.RunAsync("gak-host", "channel", "list", "--loopback", dom0.Root, "web");
        var infoByName = await Tool.RunAsync("gak-host", "channel", "info", "--loopback", dom0.Root, "web", "org.example.b.1");
        var infoByDevid = await Tool.RunAsync("gak-host", "channel", "info", "--loopback", dom0.Root, domain, "1");
        var remove = await Tool.RunAsync("gak-host", "channel", "remove", "--loopback", dom0.Root, "web", "1");
        var after = await Tool.RunAsync("gak-host", "channel", "list", "--loopback", dom0.Root, "web");

        Assert.Equal((0, $"added channel org.example.a.1 to domain {domain} as console 1 (/local/domain/{domain}/device/console/1)\n"), (addSocket.ExitCode, addSocket.Stdout));
        Assert.Equal((0, $"added channel org.example.b.1 to domain {domain} as console 2 (/local/domain/{domain}/device/console/2)\n"), (addPty.ExitCode, addPty.Stdout));
        Assert.Equal(0, list.ExitCode);
        var rows = list.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(r => r.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToArray();
        Assert.Equal(["Idx", "BE", "state", "evt-ch", "ring-ref", "connection", "type", "name", "path/pty"], rows[0]); // xl channel-list + ours
        Assert.Equal(3, rows.Length);
        var pty = json[1].GetProperty("tty").GetString();
        Assert.StartsWith("/dev/pts/", pty, StringComparison.Ordinal);
        Assert.Equal(["1", "0", "4", json[0].GetProperty("event-channel").GetString()!, json[0].GetProperty("ring-ref").GetString()!, "socket", "guestagentkit", "org.example.a.1", socketPath], rows[1]);
        Assert.Equal(["2", "0", "4", json[1].GetProperty("event-channel").GetString()!, json[1].GetProperty("ring-ref").GetString()!, "pty", "guestagentkit", "org.example.b.1", pty!], rows[2]);
        Assert.Equal("Connected", json[0].GetProperty("backend-state").GetString());
        Assert.Equal(0, infoByName.ExitCode);
        using (var info = JsonDocument.Parse(infoByName.Stdout))
        {
            Assert.Equal(2, info.RootElement.GetProperty("devid").GetInt32());
            Assert.Equal("pty", info.RootElement.GetProperty("connection").GetString());
            Assert.Equal($"/local/domain/0/backend/console/{domain}/2", info.RootElement.GetProperty("backend-path").GetString());
        }

        Assert.Equal(0, infoByDevid.ExitCode);
        using (var info = JsonDocument.Parse(infoByDevid.Stdout))
        {
            Assert.Equal(socketPath, info.RootElement.GetProperty("path").GetString());
        }

        Assert.Equal((0, $"removed channel org.example.a.1 (console 1) from domain {domain}\n"), (remove.ExitCode, remove.Stdout));
        Assert.Equal(0, after.ExitCode);
        Assert.DoesNotContain("org.example.a.1", after.Stdout, StringComparison.Ordinal);
        Assert.Contains("org.example.b.1", after.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Channel_BadArgumentsOrTargets_ClearErrorAndExitCode()
    {
        await using var xenbus = await GuestXenbus.StartAsync();
        string[] at = ["--xenstore", xenbus.Dom0Socket];

        var noConnection = await Tool.RunAsync("gak-host", ["channel", "add", .. at, "5", "name=org.example.a.1"]);
        var noSpec = await Tool.RunAsync("gak-host", ["channel", "add", .. at, "5"]);
        var badOption = await Tool.RunAsync("gak-host", ["channel", "list", .. at, "5", "--bogus"]);
        var noDomain = await Tool.RunAsync("gak-host", ["channel", "list", .. at]);
        var unknownDomain = await Tool.RunAsync("gak-host", ["channel", "list", .. at, "nosuchvm"]);
        var unknownChannel = await Tool.RunAsync("gak-host", ["channel", "remove", .. at, "5", "org.example.none.1"]);
        var both = await Tool.RunAsync("gak-host", ["channel", "list", .. at, "--loopback", xenbus.Directory, "5"]);
        var noXenstore = await Tool.RunAsync("gak-host", ["channel", "list", "--xenstore", Path.Combine(xenbus.Directory, "absent.sock"), "5"]);

        Assert.Equal(2, noConnection.ExitCode);
        Assert.Contains("has no defined connection; to where should it be connected?", noConnection.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, noSpec.ExitCode);
        Assert.Contains("give either one channel spec or --config FILE", noSpec.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, badOption.ExitCode);
        Assert.Contains("--bogus", badOption.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, noDomain.ExitCode);
        Assert.Equal(1, unknownDomain.ExitCode);
        Assert.Contains("no domain is named \"nosuchvm\"", unknownDomain.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, unknownChannel.ExitCode);
        Assert.Contains("domain 5 has no channel named \"org.example.none.1\"", unknownChannel.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, both.ExitCode);
        Assert.Contains("give either --xenstore or --loopback, not both", both.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, noXenstore.ExitCode);
        Assert.Contains("absent.sock", noXenstore.Stderr, StringComparison.Ordinal);
        Assert.Empty(noXenstore.Stdout);
    }

    [Fact]
    public async Task ChannelAdd_SixProcessesAtOnceIntoOneDomain_AllAddedWithDistinctDevids()
    {
        await using var xenbus = await GuestXenbus.StartAsync();
        var names = Enumerable.Range(1, 6).Select(i => $"org.example.c{i}.1").ToArray();

        // Their transactions read the same console directories: all but one commit of each round get EAGAIN and retry.
        var runs = await Task.WhenAll(names.Select(n => Tool.RunAsync("gak-host", "channel", "add", "--xenstore", xenbus.Dom0Socket, "5", $"connection=pty, name={n}")));
        var list = await Tool.RunAsync("gak-host", "channel", "list", "--json", "--xenstore", xenbus.Dom0Socket, "5");

        Assert.All(runs, r => Assert.True(r.ExitCode == 0, r.Stderr));
        Assert.Equal(0, list.ExitCode);
        using var listed = JsonDocument.Parse(list.Stdout);
        var channels = listed.RootElement.EnumerateArray().Select(c => (Devid: c.GetProperty("devid").GetInt32(), Name: c.GetProperty("name").GetString()!)).ToArray();
        Assert.Equal(names.Order(), channels.Select(c => c.Name).Order());
        Assert.Equal([1, 2, 3, 4, 5, 6], channels.Select(c => c.Devid).Order());
        Assert.All(runs, r => Assert.Matches(@"^added channel org\.example\.c\d\.1 to domain 5 as console [1-6] ", r.Stdout));
    }

    [Fact]
    public async Task ChannelAdd_EveryCommitConflicts_ExitsOneNamingRetryLimitAndWritesNothing()
    {
        await using var xenbus = await GuestXenbus.StartAsync();
        await using var proxy = ConflictingXenStoreProxy.Start(Path.Combine(xenbus.Directory, "proxy.sock"), xenbus.Dom0Socket, xenbus.Dom0, "/local/domain/5/device/console");

        var add = await Tool.RunAsync("gak-host", "channel", "add", "--xenstore", proxy.SocketPath, "5", "connection=pty, name=org.example.a.1");

        Assert.Equal(1, add.ExitCode);
        Assert.Contains($"could not add channel \"org.example.a.1\" to domain 5: its xenstore transaction conflicted with concurrent changes on all {Limits.XenStoreTransactMaxAttempts} attempts", add.Stderr, StringComparison.Ordinal);
        Assert.Contains("retry limit", add.Stderr, StringComparison.Ordinal);
        Assert.Equal(Limits.XenStoreTransactMaxAttempts, proxy.Conflicts);
        Assert.Empty(await xenbus.Dom0.DirectoryAsync("/local/domain/5/device/console", Ct));
        Assert.Empty(await xenbus.Dom0.DirectoryAsync("/local/domain/0/backend/console/5", Ct));
    }

    /// <summary><c>channel list --json</c> until every channel's frontend is Connected (the emulator follows the backend).</summary>
    private static async Task<JsonElement[]> ListJsonUntilConnectedAsync(string root, string domain)
    {
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var (code, stdout, stderr) = await Tool.RunAsync("gak-host", "channel", "list", "--json", "--loopback", root, domain);
            Assert.True(code == 0, stderr);
            var channels = JsonDocument.Parse(stdout).RootElement.EnumerateArray().ToArray();
            if (channels.All(c => c.GetProperty("frontend-state").GetString() == "Connected"))
            {
                return channels;
            }

            Assert.True(deadline.Elapsed < Timeout, $"channels not Connected after {Timeout.TotalSeconds} s:\n{stdout}");
        }
    }
}
