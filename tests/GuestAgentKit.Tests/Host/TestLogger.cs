using Microsoft.Extensions.Logging;

namespace GuestAgentKit.Tests.Host;

/// <summary>Sends backend logs to the test's output, so a failing test shows what the backend did.</summary>
internal sealed class TestLogger : ILogger
{
    /// <summary>Every formatted message, for tests that count what the backend said (on the logging thread).</summary>
    public event Action<string>? Logged;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        Logged?.Invoke(formatter(state, exception));
        try
        {
            TestContext.Current.TestOutputHelper?.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel}: {formatter(state, exception)}");
        }
        catch (InvalidOperationException)
        {
            // The test already finished.
        }
    }
}
