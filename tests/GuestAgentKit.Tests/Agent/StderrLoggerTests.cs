using GuestAgentKit.Guest.Agent;
using Microsoft.Extensions.Logging;

namespace GuestAgentKit.Tests.Agent;

/// <summary><c>gak-agent run</c>'s logger writes the console logger's formats, one entry per write.</summary>
public sealed class StderrLoggerTests
{
    [Fact]
    public void Log_Text_ConsoleSimpleFormatWithIndentedMessageAndException()
    {
        using var output = new StringWriter();
        using var provider = new StderrLoggerProvider(output, systemd: false);

        provider.CreateLogger("GuestAgentKit.Agent").Log(LogLevel.Warning, new EventId(7), "line one\nline two", new IOException("gone"), (s, _) => s);

        var lines = output.ToString().Split(Environment.NewLine);
        Assert.Equal("warn: GuestAgentKit.Agent[7]", lines[0]);
        Assert.Equal("      line one", lines[1]);
        Assert.Equal("      line two", lines[2]);
        Assert.Equal("      System.IO.IOException: gone", lines[3]);
        Assert.Equal(string.Empty, lines[^1]);
    }

    [Theory]
    [InlineData(LogLevel.Debug, 7)]
    [InlineData(LogLevel.Information, 6)]
    [InlineData(LogLevel.Warning, 4)]
    [InlineData(LogLevel.Error, 3)]
    [InlineData(LogLevel.Critical, 2)]
    public void Log_Systemd_OneJournalLineWithPriority(LogLevel level, int priority)
    {
        using var output = new StringWriter();
        using var provider = new StderrLoggerProvider(output, systemd: true);

        provider.CreateLogger("GuestAgentKit.Agent").Log(level, new EventId(3), "opened\nhvc1", new IOException("a\nb"), (s, _) => s);

        Assert.Equal($"<{priority}>GuestAgentKit.Agent[3] opened hvc1 System.IO.IOException: a b{Environment.NewLine}", output.ToString());
    }

    [Fact]
    public void Log_LevelNone_WritesNothing()
    {
        using var output = new StringWriter();
        using var provider = new StderrLoggerProvider(output, systemd: false);

        provider.CreateLogger("c").Log(LogLevel.None, default, "x", null, (s, _) => s);

        Assert.Empty(output.ToString());
    }
}
