using Microsoft.Extensions.Logging;

namespace GuestAgentKit.Guest.Agent;

/// <summary>
/// Logging for <see cref="AgentHost.RunAsync"/>: each message written at once, as one entry, to stderr, in the formats
/// of Microsoft.Extensions.Logging.Console (<c>info: Category[id]</c> + indented message; under systemd journald's
/// <c>&lt;6&gt;Category[id] message</c> on one line). An agent logs a few lines per session, so it needs neither the
/// console logger's queue and background thread nor its formatter options, which cost a NativeAOT agent memory
/// (docs/dependencies.md). Registered under the console logger's alias, so <c>Logging:Console:LogLevel</c> still applies.
/// </summary>
[ProviderAlias("Console")]
internal sealed class StderrLoggerProvider(TextWriter output, bool systemd) : ILoggerProvider
{
    private readonly Lock _write = new();

    public ILogger CreateLogger(string categoryName) => new StderrLogger(categoryName, systemd, Write);

    public void Dispose()
    {
    }

    private void Write(string entry)
    {
        lock (_write)
        {
            output.Write(entry);
            output.Flush();
        }
    }
}
