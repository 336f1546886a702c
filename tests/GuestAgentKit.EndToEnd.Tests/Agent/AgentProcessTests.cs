using GuestAgentKit.Channels;

namespace GuestAgentKit.EndToEnd.Tests.Agent;

/// <summary><c>gak-agent</c> as a separate process: serving a pty, discovering its tty through a xenbus stand-in,
/// listing/locating channels, the udev helper, and its exit codes.</summary>
public sealed class AgentProcessTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Run_DevicePty_ServesThenExitsZeroOnSigterm()
    {
        var directory = Directory.CreateTempSubdirectory("gak-e2e-run-").FullName;
        try
        {
            using var pty = new RawPty(Path.Combine(directory, "hvc1"));
            await using var agent = Tool.Start("gak-agent", "run", "--device", Path.Combine(directory, "hvc1"));

            await using (var session = await pty.ConnectAsync(Timeout))
            {
                Assert.Equal("gak-agent", session.Welcome.Agent.Name);
                Assert.Equal(["agent.ping", "agent.info"], session.Welcome.Methods);
                Assert.Equal("pong", await session.InvokeAsync<string>("agent.ping", null, Ct).WaitAsync(Timeout, Ct));
            }

            agent.Terminate();
            Assert.Equal(0, await agent.WaitAsync(Timeout));
            Assert.Contains("session started", agent.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Run_ByNameBeforeChannelExists_WaitsThenServesDiscoveredTty()
    {
        await using var xenbus = await GuestXenbus.StartAsync();
        using var pty = new RawPty(Path.Combine(xenbus.DeviceDirectory, "hvc2"));
        await using var agent = Tool.Start("gak-agent", "run", "--xenbus", xenbus.XenbusPath, "--device-dir", xenbus.DeviceDirectory);
        await agent.WaitForStderrAsync("waiting for it to appear", Timeout);

        await xenbus.AddConsoleAsync("1", "org.example.other.1");
        await xenbus.AddConsoleAsync("3", WellKnownChannels.Agent.Name.Value); // second console in devid order: hvc2

        await using var session = await pty.ConnectAsync(Timeout);
        Assert.Equal("pong", await session.InvokeAsync<string>("agent.ping", null, Ct).WaitAsync(Timeout, Ct));
        Assert.Contains($"guessed tty {Path.Combine(xenbus.DeviceDirectory, "hvc2")}", agent.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_NoXenstore_ExitsOneWithMessage()
    {
        var (code, _, stderr) = await Tool.RunAsync("gak-agent", "run", "--xenbus", "/nonexistent/gak/xenbus");

        Assert.Equal(1, code);
        Assert.Contains("cannot reach the guest's xenstore at /nonexistent/gak/xenbus", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_BadChannelName_ExitsOne()
    {
        var (code, _, stderr) = await Tool.RunAsync("gak-agent", "run", "--channel", "bad,name", "--device", "/dev/null");

        Assert.Equal(1, code);
        Assert.Contains("Agent:Channel", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListLocateUdevHelper_XenbusStandIn_ReportChannels()
    {
        await using var xenbus = await GuestXenbus.StartAsync();
        await xenbus.AddConsoleAsync("1", WellKnownChannels.Agent.Name.Value);
        await xenbus.AddConsoleAsync("2", "org.example.clip.1");
        await xenbus.AddConsoleAsync("4", "../evil");
        string[] where = ["--xenbus", xenbus.XenbusPath, "--device-dir", xenbus.DeviceDirectory];

        var list = await Tool.RunAsync("gak-agent", ["list", .. where]);
        var json = await Tool.RunAsync("gak-agent", ["list", "--json", .. where]);
        var located = await Tool.RunAsync("gak-agent", ["locate", "org.example.clip.1", .. where]);
        var absent = await Tool.RunAsync("gak-agent", ["locate", "org.example.none.1", .. where]);
        var hvc1 = await Tool.RunAsync("gak-agent", ["udev-helper", "hvc1", "--xenbus", xenbus.XenbusPath]);
        var hvc2 = await Tool.RunAsync("gak-agent", ["udev-helper", "hvc2", "--xenbus", xenbus.XenbusPath]);
        var hvc3 = await Tool.RunAsync("gak-agent", ["udev-helper", "hvc3", "--xenbus", xenbus.XenbusPath]);
        var hvc5 = await Tool.RunAsync("gak-agent", ["udev-helper", "hvc5", "--xenbus", xenbus.XenbusPath]);
        var noXenstore = await Tool.RunAsync("gak-agent", ["udev-helper", "hvc1", "--xenbus", "/nonexistent/xenbus"]);

        Assert.Equal(0, list.ExitCode);
        var rows = list.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["DEVID", "NAME", "STATE", "DEVICE"], rows[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["1", "org.guestagentkit.agent.1", "4", Path.Combine(xenbus.DeviceDirectory, "hvc1")], rows[1].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(0, json.ExitCode);
        using (var document = System.Text.Json.JsonDocument.Parse(json.Stdout))
        {
            Assert.Equal(3, document.RootElement.GetArrayLength());
            Assert.Equal("org.example.clip.1", document.RootElement[1].GetProperty("name").GetString());
            Assert.Equal(Path.Combine(xenbus.DeviceDirectory, "hvc2"), document.RootElement[1].GetProperty("device").GetString());
        }

        Assert.Equal((0, Path.Combine(xenbus.DeviceDirectory, "hvc2") + "\n"), (located.ExitCode, located.Stdout));
        Assert.Equal(1, absent.ExitCode);
        Assert.Contains("no channel named 'org.example.none.1'", absent.Stderr, StringComparison.Ordinal);
        Assert.Equal((0, "GAK_CHANNEL_NAME=org.guestagentkit.agent.1\nGAK_CHANNEL_DEVID=1\nGAK_CHANNEL_SERVE=1\n"), (hvc1.ExitCode, hvc1.Stdout));
        Assert.Equal((0, "GAK_CHANNEL_NAME=org.example.clip.1\nGAK_CHANNEL_DEVID=2\n"), (hvc2.ExitCode, hvc2.Stdout));
        Assert.Equal((0, string.Empty), (hvc3.ExitCode, hvc3.Stdout)); // "../evil" must never become a symlink path
        Assert.Equal((0, string.Empty), (hvc5.ExitCode, hvc5.Stdout));
        Assert.Equal((0, string.Empty), (noXenstore.ExitCode, noXenstore.Stdout));
        Assert.Contains("cannot read xenstore", noXenstore.Stderr, StringComparison.Ordinal);
    }
}
