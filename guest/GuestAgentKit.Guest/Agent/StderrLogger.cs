using System.Globalization;
using Microsoft.Extensions.Logging;

namespace GuestAgentKit.Guest.Agent;

/// <summary>One category's logger of <see cref="StderrLoggerProvider"/>.</summary>
internal sealed class StderrLogger(string category, bool systemd, Action<string> write) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        var message = formatter(state, exception);
        write(systemd ? Journal(logLevel, eventId, message, exception) : Text(logLevel, eventId, message, exception));
    }

    /// <summary>The console logger's simple format: <c>info: Category[id]</c>, then the message and exception indented.</summary>
    private string Text(LogLevel level, EventId eventId, string message, Exception? exception)
    {
        var indented = "      " + (exception is null ? message : message + Environment.NewLine + exception).ReplaceLineEndings(Environment.NewLine + "      ");
        return string.Create(CultureInfo.InvariantCulture, $"{Label(level)}: {category}[{eventId.Id}]{Environment.NewLine}{indented}{Environment.NewLine}");
    }

    /// <summary>The console logger's systemd format: one line, journald priority prefix (sd-daemon.h's SD_INFO etc.).</summary>
    private string Journal(LogLevel level, EventId eventId, string message, Exception? exception)
    {
        var text = exception is null ? message : message + " " + exception;
        return string.Create(CultureInfo.InvariantCulture, $"<{Priority(level)}>{category}[{eventId.Id}] {text.ReplaceLineEndings(" ")}{Environment.NewLine}");
    }

    private static string Label(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        _ => "crit",
    };

    private static int Priority(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => 7, // SD_DEBUG
        LogLevel.Information => 6,             // SD_INFO
        LogLevel.Warning => 4,                 // SD_WARNING
        LogLevel.Error => 3,                   // SD_ERR
        _ => 2,                                // SD_CRIT
    };
}
