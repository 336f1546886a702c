namespace GuestAgentKit.Interop.Tests.Harness;

/// <summary>
/// Retries a connect that failed because the listener's backlog was full. oxenstored listens with a tiny
/// backlog and accepts only between requests, so a connect right after another one can fail with EAGAIN
/// (a non-blocking connect on a Unix socket does not wait, unlike libxenstore's blocking one), and
/// <c>XenStoreClient.ConnectAsync</c> does not retry that yet.
/// </summary>
internal static class BusySocket
{
    private const int Attempts = 100;

    /// <summary>Runs <paramref name="connect"/> until it does not fail with EAGAIN, at most 100 times, 20 ms apart.</summary>
    public static async Task<T> RetryAsync<T>(Func<Task<T>> connect, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await connect();
            }
            catch (IOException error) when (attempt < Attempts && error.Message.Contains("temporarily unavailable", StringComparison.Ordinal))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
            }
        }
    }
}
