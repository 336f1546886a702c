using Microsoft.Extensions.Logging;

namespace GuestAgentKit.Loopback;

/// <summary>Log messages of the loopback Xen (orchestrator, toolstack, guest kernel emulator).</summary>
internal static partial class LoopbackLog
{
    [LoggerMessage(101, LogLevel.Warning, "xenbus {Socket}: closing a client: {Reason}")]
    public static partial void XenbusClientKilled(ILogger logger, string socket, string reason);

    [LoggerMessage(102, LogLevel.Warning, "xenbus {Socket}: the xenstore ring failed: {Reason}")]
    public static partial void XenbusRingFailed(ILogger logger, string socket, string reason);

    [LoggerMessage(103, LogLevel.Information, "domain {Domain}: console {Console} is {Device} ({Slave})")]
    public static partial void ConsoleUp(ILogger logger, string domain, int console, string device, string slave);

    [LoggerMessage(104, LogLevel.Information, "domain {Domain}: console {Console} hung up ({Reason})")]
    public static partial void ConsoleDown(ILogger logger, string domain, int console, string reason);

    [LoggerMessage(105, LogLevel.Warning, "domain {Domain}: console {Console}: {Reason}")]
    public static partial void ConsoleFailed(ILogger logger, string domain, int console, string reason);

    [LoggerMessage(106, LogLevel.Information, "domain {Domain} ({Name}): guest started, xenbus at {Xenbus}")]
    public static partial void GuestStarted(ILogger logger, string domain, string name, string xenbus);

    [LoggerMessage(107, LogLevel.Information, "domain {Domain}: guest stopped")]
    public static partial void GuestStopped(ILogger logger, string domain);

    [LoggerMessage(108, LogLevel.Warning, "domain {Domain}: guest failed: {Reason}")]
    public static partial void GuestFailed(ILogger logger, string domain, string reason);

    [LoggerMessage(109, LogLevel.Information, "console {Console} of domain {Domain}: backend state {State}")]
    public static partial void BackendState(ILogger logger, string domain, int console, string state);

    [LoggerMessage(110, LogLevel.Debug, "domain {Domain}: {What} stopped with the guest's xenbus: {Reason}")]
    public static partial void StoppedWithXenbus(ILogger logger, string domain, string what, string reason);
}
