using Microsoft.Extensions.Logging;

namespace GuestAgentKit.Loopback.XenStored;

/// <summary>Log messages of the embedded xenstored.</summary>
internal static partial class XenStoredLog
{
    [LoggerMessage(1, LogLevel.Warning, "xenstored: closing connection {Connection}: {Reason}")]
    public static partial void ConnectionKilled(ILogger logger, string connection, string reason);

    [LoggerMessage(2, LogLevel.Debug, "xenstored: connection {Connection} closed")]
    public static partial void ConnectionClosed(ILogger logger, string connection);

    [LoggerMessage(3, LogLevel.Warning, "xenstored: could not connect introduced domain {Domain}: {Reason}")]
    public static partial void ConnectorFailed(ILogger logger, string domain, string reason);
}
