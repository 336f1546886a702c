using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GuestAgentKit.Guest.Transport;

/// <summary>
/// Opens a channel again and again for an agent's session loop, paced by a <see cref="ReopenBackoff"/>:
/// a failed open (<see cref="IOException"/>, <see cref="UnauthorizedAccessException"/>: device missing
/// after a resume, not yet created by udev, permissions not yet applied) and a session that ended sooner than
/// <see cref="ReopenBackoff.StableSession"/> both count as failures. Waits use the <see cref="TimeProvider"/>.
/// Other exceptions propagate. For one loop at a time: not thread-safe.
/// </summary>
/// <example>
/// <code>
/// var channel = new ReopeningChannel(new HvcTransport("/dev/hvc1"));
/// while (true)
/// {
///     await using var stream = await channel.OpenAsync(ct);
///     await RunSessionAsync(stream, ct); // returns on hang-up
/// }
/// </code>
/// </example>
public sealed partial class ReopeningChannel
{
    private const int FailureCountCap = 64;

    private readonly IChannelTransport _transport;
    private readonly ReopenBackoff _backoff;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private long? _sessionStarted;

    /// <summary>Creates the channel.</summary>
    /// <param name="transport">What to open.</param>
    /// <param name="backoff">Pacing; <see cref="ReopenBackoff.Default"/> when null.</param>
    /// <param name="timeProvider">Clock for waits and session lengths; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="logger">Where failed opens are logged; none when null.</param>
    public ReopeningChannel(IChannelTransport transport, ReopenBackoff? backoff = null, TimeProvider? timeProvider = null, ILogger<ReopeningChannel>? logger = null)
    {
        _transport = transport ?? throw new ArgumentNullException(nameof(transport));
        _backoff = backoff ?? ReopenBackoff.Default;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>Failures since the last stable session (what the next wait is computed from).</summary>
    public int ConsecutiveFailures { get; private set; }

    /// <summary>
    /// Opens the channel for the next session, first waiting as the backoff says, retrying failed opens
    /// until one succeeds or <paramref name="cancellationToken"/> fires. Calling it again means the previous
    /// session is over.
    /// </summary>
    /// <param name="cancellationToken">Ends the waiting.</param>
    /// <returns>The open stream; the caller disposes it.</returns>
    public async ValueTask<Stream> OpenAsync(CancellationToken cancellationToken)
    {
        if (_sessionStarted is { } started)
        {
            var lasted = _time.GetElapsedTime(started);
            ConsecutiveFailures = lasted >= _backoff.StableSession ? 0 : Math.Min(ConsecutiveFailures + 1, FailureCountCap);
            _sessionStarted = null;
        }

        while (true)
        {
            var delay = _backoff.DelayFor(ConsecutiveFailures);
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }

            try
            {
                var stream = await _transport.OpenAsync(cancellationToken).ConfigureAwait(false);
                _sessionStarted = _time.GetTimestamp();
                return stream;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                ConsecutiveFailures = Math.Min(ConsecutiveFailures + 1, FailureCountCap);
                LogOpenFailed(_transport.Description, ConsecutiveFailures, _backoff.DelayFor(ConsecutiveFailures), e.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Opening {Channel} failed ({Failures} in a row), retrying in {Delay}: {Reason}")]
    private partial void LogOpenFailed(string channel, int failures, TimeSpan delay, string reason);
}
