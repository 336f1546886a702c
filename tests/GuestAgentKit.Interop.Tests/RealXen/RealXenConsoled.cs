using System.Diagnostics;

namespace GuestAgentKit.Interop.Tests.RealXen;

/// <summary>
/// Debian's real <c>xenconsoled</c> on the loopback of a <see cref="RealXenStored"/>, in the foreground,
/// logging guest output to <see cref="LogDirectory"/> (<c>guest-&lt;name&gt;.log</c>). It serves only
/// each domain's primary console (console 0). Disposing kills it.
/// </summary>
internal sealed class RealXenConsoled : IAsyncDisposable
{
    private readonly Process _process;
    private int _disposed;

    private RealXenConsoled(string logDirectory, Process process)
    {
        LogDirectory = logDirectory;
        _process = process;
    }

    /// <summary>R/console: xenconsoled's --log-dir.</summary>
    public string LogDirectory { get; }

    /// <summary>
    /// Starts xenconsoled against <paramref name="store"/>. Returns at once: xenconsoled gives no
    /// readiness signal (no pid file in --interactive mode) and needs none, because it watches
    /// @introduceDomain and enumerates the existing domains when it starts, so a domain set up
    /// before or after is served either way.
    /// </summary>
    /// <param name="store">The xenstored (and loopback root) to serve.</param>
    /// <param name="keepOverflow">
    /// <c>--overflow-data=keep</c>: stop reading a guest's ring while xenconsoled's buffer holds the
    /// console's <c>limit</c>, instead of discarding the middle of the buffer once it passes 5/4 of it
    /// (the default, tools/console/daemon/io.c <c>buffer_append</c>). With it, console output is
    /// lossless however slowly the pty is read: the ring fills and the guest waits.
    /// </param>
    public static RealXenConsoled Start(RealXenStored store, bool keepOverflow = false)
    {
        var binary = XenPackages.Daemon("xenconsoled");
        var logDirectory = Path.Combine(store.Root, "console");
        Directory.CreateDirectory(logDirectory);
        var environment = store.StandIns.DaemonEnvironment(store.Root);
        environment["XENSTORED_PATH"] = store.SocketPath;
        var process = ChildProcess.Start(
            binary,
            ["--interactive", "--log=guest", $"--log-dir={logDirectory}", $"--overflow-data={(keepOverflow ? "keep" : "discard")}"],
            environment);
        return new RealXenConsoled(logDirectory, process);
    }

    /// <summary>What xenconsoled wrote to stderr so far if it has exited, for assertion messages.</summary>
    public string ExitReport() =>
        _process.HasExited ? $"xenconsoled exited with {_process.ExitCode}: {_process.StandardError.ReadToEnd()}" : "xenconsoled is running";

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await ChildProcess.StopAsync(_process);
        _process.Dispose();
    }
}
