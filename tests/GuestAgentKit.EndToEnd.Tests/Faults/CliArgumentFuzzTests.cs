using System.Globalization;

namespace GuestAgentKit.EndToEnd.Tests.Faults;

/// <summary>
/// <c>gak-host</c> and <c>gak-agent</c> started as processes with random, always invalid command lines:
/// exit code 2, a one-line reason on stderr prefixed with the tool's name, never a stack trace.
/// The first argument is an unknown option, so a random line can never start a daemon; the rest is
/// random words, options and values, so every parser and validator of the command tree sees them.
/// </summary>
public sealed class CliArgumentFuzzTests
{
    private static readonly string[] Words =
    [
        "loopback", "start", "create", "destroy", "list", "channel", "add", "remove", "info", "backend", "call", "ping",
        "run", "locate", "udev-helper", "--dir", "--name", "--uuid", "--xenstore", "--loopback", "--config", "--socket-group",
        "--channel", "--device", "--xenbus", "--device-dir", "--json", "--native", "--real-xenstored", "--socket",
        "", "-", "--", "-x", "0", "-1", "65536", "99999999999999999999", "/dev/null", "/", "\u00e9t\u00e9", "a=b", "org.guestagentkit.agent.1",
        "hvc0", "hvc99999", "{\"a\":", "[]", "nul\u0001l", new string('L', 5000), "--dir=", "--name=x=y", "\t",
    ];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static int Cases => int.TryParse(Environment.GetEnvironmentVariable("GAK_FUZZ_ITERATIONS"), CultureInfo.InvariantCulture, out var n) ? n
        : Environment.GetEnvironmentVariable("GAK_FUZZ_LONG") is "1" or "true" ? 300 : 6;

    [Theory]
    [InlineData("gak-host")]
    [InlineData("gak-agent")]
    public async Task Tool_RandomInvalidArguments_ExitTwoWithMessageAndNoStackTrace(string tool)
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("GAK_FUZZ_SEED"), CultureInfo.InvariantCulture, out var s) ? s : 20261125;
        var random = new Random(seed + tool.Length);
        List<string[]> lines = [["--gak-no-such-option"], ["no-such-command"]];
        for (var i = 0; i < Cases; i++)
        {
            lines.Add(["--gak-fuzz-" + i.ToString(CultureInfo.InvariantCulture), .. Enumerable.Range(0, random.Next(0, 8)).Select(_ => Words[random.Next(Words.Length)])]);
        }

        foreach (var args in lines)
        {
            var (exitCode, stdout, stderr) = await ToolProcess.RunAsync(tool, args, Ct);
            var shown = $"{tool} [{string.Join("] [", args.Select(a => a.Length > 40 ? a[..40] + "..." : a))}]";
            Assert.True(exitCode == 2, $"{shown}: exit {exitCode}\n{stderr}");
            Assert.StartsWith(tool + ": ", stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", stderr + stdout, StringComparison.Ordinal);
            Assert.DoesNotContain("Unhandled exception", stderr + stdout, StringComparison.Ordinal);
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"{tool}: seed={seed} command-lines={lines.Count} all exit 2, no stack trace");
    }
}
