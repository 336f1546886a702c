using System.Diagnostics;
using System.Text.RegularExpressions;
using GuestAgentKit.EndToEnd.Tests.Agent;

namespace GuestAgentKit.EndToEnd.Tests.Samples;

/// <summary><c>dotnet run --project samples/FirstBoot</c>: the whole story on the loopback, as a process.</summary>
public sealed class FirstBootDemoTests
{
    [Fact]
    public async Task Demo_NoArguments_RunsEveryStepAndExitsZero()
    {
        var clock = Stopwatch.StartNew();
        await using var demo = SampleProcess.Start("FirstBoot", []);

        var exitCode = await demo.WaitForExitAsync(TimeSpan.FromSeconds(120));

        var output = demo.Output;
        Assert.True(exitCode == 0, $"exit code {exitCode}:\n{output}");
        Assert.Contains("Start the loopback Xen", output, StringComparison.Ordinal);
        Assert.Contains("Create domain 'web1'", output, StringComparison.Ordinal);
        Assert.Contains("named org.guestagentkit.agent.1", output, StringComparison.Ordinal);
        Assert.Contains("Start the backend", output, StringComparison.Ordinal);
        Assert.Contains("found its channel by name", output, StringComparison.Ordinal);
        Assert.Contains("methods: agent.ping, agent.info, config.apply, config.validate", output, StringComparison.Ordinal);
        Assert.Contains("interfaces[0].addresses[0]: prefix length '33'", output, StringComparison.Ordinal);
        Assert.Contains("created /etc/network/interfaces.d/eth0", output, StringComparison.Ordinal);
        Assert.Contains("127.0.1.1\tweb1.example.org\tweb1", output, StringComparison.Ordinal);
        Assert.Contains("nothing to change", output, StringComparison.Ordinal);
        Assert.Contains("Clean up", output, StringComparison.Ordinal);
        // Its duration (under 10 s asked) is a benchmark figure (B4), not a test assertion: CI boxes are loaded.
        Assert.DoesNotContain(Directory.EnumerateDirectories(Path.GetTempPath(), "gak-demo-*"), d => Directory.GetCreationTimeUtc(d) > DateTime.UtcNow - clock.Elapsed);
    }

    [Fact]
    public async Task Demo_Keep_PrintedPushWorksThenSigtermCleansUp()
    {
        await using var demo = SampleProcess.Start("FirstBoot", ["--keep"]);
        await demo.WaitForTextAsync("push web1", TimeSpan.FromSeconds(60));
        var printed = Regex.Match(demo.Output, @"push --loopback (\S+) web1 (\S+)");
        Assert.True(printed.Success, demo.Output);
        var (root, config) = (printed.Groups[1].Value, printed.Groups[2].Value);

        // The command the demo printed, while the demo keeps the loopback, backend and agent running.
        var push = await Tool.RunAsync("FirstBoot", "push", "--loopback", root, "web1", config);
        demo.Terminate();
        var exitCode = await demo.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.True(push.ExitCode == 0, push.Stderr);
        Assert.Contains("unchanged /etc/hostname", push.Stdout, StringComparison.Ordinal);
        Assert.True(exitCode == 0, demo.Output);
        Assert.Contains("stopping", demo.Output, StringComparison.Ordinal);
        Assert.Contains("Clean up", demo.Output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.GetDirectoryName(root)), $"{Path.GetDirectoryName(root)} was left behind");
    }
}
