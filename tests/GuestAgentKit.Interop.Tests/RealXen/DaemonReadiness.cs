using System.Diagnostics;

namespace GuestAgentKit.Interop.Tests.RealXen;

/// <summary>
/// Waits until a real daemon is ready. The daemons give no readiness signal (no sd_notify in
/// Debian's build), so this checks a condition every few milliseconds, bounded, and fails early
/// with the daemon's stderr if it died.
/// </summary>
internal static class DaemonReadiness
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(5);

    /// <summary>Returns once <paramref name="ready"/> holds; throws if the process exits or time runs out.</summary>
    public static async Task WaitAsync(Process daemon, string what, Func<bool> ready, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (!ready())
        {
            if (daemon.HasExited)
            {
                var stderr = await daemon.StandardError.ReadToEndAsync(cancellationToken);
                var stdout = await daemon.StandardOutput.ReadToEndAsync(cancellationToken);
                throw new InvalidOperationException($"{what} exited with {daemon.ExitCode} before it was ready: {stderr} {stdout}");
            }

            if (deadline.Elapsed > Timeout)
            {
                throw new TimeoutException($"{what} not ready within {Timeout}");
            }

            await Task.Delay(Interval, cancellationToken);
        }
    }
}
