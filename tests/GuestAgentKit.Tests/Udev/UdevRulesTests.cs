namespace GuestAgentKit.Tests.Udev;

public sealed class UdevRulesTests
{
    private static readonly string RulesPath = Path.Combine(ToolRun.RepositoryRoot, "udev", "90-gak-channel.rules");

    private static IReadOnlyList<UdevRuleLine> Rules => UdevRuleLine.ParseFile(File.ReadAllLines(RulesPath));

    [Fact]
    public void Parse_RulesFile_EveryLineIsValidUdevSyntax()
    {
        Assert.NotEmpty(Rules);
    }

    [Theory]
    [InlineData("KERNEL==\"hvc1\", FOO=\"bar\"", "unknown key FOO")]
    [InlineData("KERNEL=\"hvc1\"", "operator = not allowed for KERNEL")]
    [InlineData("RUN==\"x\"", "operator == not allowed for RUN")]
    [InlineData("IMPORT=\"x\"", "IMPORT needs {attribute}")]
    [InlineData("KERNEL==\"hvc1\" SYMLINK+=\"x\"", "not KEY")]
    [InlineData("KERNEL==hvc1", "not KEY")]
    [InlineData("KERNEL==\"hvc1\",", "not KEY")]
    public void Parse_BrokenLine_Throws(string line, string message)
    {
        var error = Assert.Throws<FormatException>(() => UdevRuleLine.ParseFile(["# comment", line]));

        Assert.Contains("line 2", error.Message, StringComparison.Ordinal);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rules_OnlyChannelHvcTtys_ImportNameThroughHelper()
    {
        var rules = Rules;

        Assert.Contains(rules, r => r.Has("KERNEL", "!=", "hvc[1-7]") && r.Has("GOTO", "=", "gak_channel_end"));
        Assert.Contains(rules, r => r.Has("SUBSYSTEM", "!=", "tty") && r.Has("GOTO", "=", "gak_channel_end"));
        Assert.Contains(rules, r => r.Has("IMPORT", "=", "/usr/lib/guestagentkit/gak-agent udev-helper %k", "program"));
        Assert.Contains(rules, r => r.Has("SYMLINK", "+=", "xen-channel/$env{GAK_CHANNEL_NAME}"));
        Assert.Contains(rules, r => r.Has("ENV", "=", "1", "ID_MM_DEVICE_IGNORE"));
    }

    [Fact]
    public void Rules_StartAgentOnlyThroughSystemdAndOnlyForServedChannels()
    {
        var rules = Rules;

        Assert.DoesNotContain(rules, r => r.Pairs.Any(p => p.Key == "RUN"));
        var start = Assert.Single(rules, r => r.Pairs.Any(p => p.Attribute == "SYSTEMD_WANTS"));
        Assert.True(start.Has("ENV", "==", "1", "GAK_CHANNEL_SERVE"));
        Assert.True(start.Has("TAG", "+=", "systemd"));
        Assert.True(start.Has("ENV", "+=", "gak-agent@%k.service", "SYSTEMD_WANTS"));
    }

    [Fact]
    public void Rules_EveryGotoHasItsLabelAfterIt()
    {
        var rules = Rules;

        foreach (var jump in rules.SelectMany(r => r.Pairs.Where(p => p.Key == "GOTO").Select(p => (r.Number, p.Value))))
        {
            Assert.Contains(rules, r => r.Number > jump.Number && r.Has("LABEL", "=", jump.Value));
        }
    }

    [Fact]
    public async Task UdevadmTest_RulesFile_AcceptedByUdevsOwnParser()
    {
        var run = await UdevadmTestAsync(File.ReadAllText(RulesPath));

        Assert.Contains("Reading rules file: /etc/udev/rules.d/90-gak-channel.rules", run.Output + run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("90-gak-channel.rules:", run.Output + run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UdevadmTest_BrokenRule_IsReported()
    {
        // Control: shows the check above can fail.
        var run = await UdevadmTestAsync(File.ReadAllText(RulesPath) + "KERNEL==\"hvc1\", FOO=\"bar\"\n");

        Assert.Contains("90-gak-channel.rules:", run.Output + run.Error, StringComparison.Ordinal);
    }

    /// <summary>
    /// udev 252 has no <c>udevadm verify</c> (added in 253), but <c>udevadm test</c> parses every rules file
    /// and names each line it rejects. The file is put in /etc/udev/rules.d of a private mount namespace
    /// (<c>unshare -m</c>, util-linux), so the system's udev never sees it; that needs root.
    /// </summary>
    private static async Task<ToolRun> UdevadmTestAsync(string rules)
    {
        Assert.SkipUnless(Environment.IsPrivilegedProcess, "udevadm test in a private mount namespace needs root (tests/run.sh runs as root)");
        var directory = Directory.CreateTempSubdirectory("gak-udev-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(directory, "90-gak-channel.rules"), rules, TestContext.Current.CancellationToken);
            var device = new[] { "/sys/class/tty/ptmx", "/sys/class/tty/tty", "/sys/class/mem/null" }.First(Directory.Exists);
            var run = await ToolRun.RunAsync(
                "unshare",
                ["-m", "sh", "-c", "mount --bind \"$1\" /etc/udev/rules.d && exec udevadm test --action=add \"$2\"", "sh", directory, device],
                TestContext.Current.CancellationToken);
            Assert.Contains("Reading rules file", run.Output + run.Error, StringComparison.Ordinal);
            return run;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
