namespace GuestAgentKit.Host.Backend;

/// <summary>
/// A token bucket: <c>rate</c> tokens per second up to <c>burst</c>. A channel takes tokens before moving
/// bytes; an empty bucket means "serve this channel later", never "drop". Single-threaded (one channel loop).
/// </summary>
internal sealed class TokenBucket
{
    private readonly long _rate;
    private readonly long _burst;
    private readonly TimeProvider _time;
    private double _tokens;
    private long _last;

    public TokenBucket(long ratePerSecond, long burst, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ratePerSecond, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(burst, 1);
        _rate = ratePerSecond;
        _burst = burst;
        _time = time;
        _tokens = burst;
        _last = time.GetTimestamp();
    }

    /// <summary>Whole tokens available now.</summary>
    public long Available
    {
        get
        {
            Refill();
            return (long)_tokens;
        }
    }

    /// <summary>Takes <paramref name="count"/> tokens (at most <see cref="Available"/>).</summary>
    public void Take(long count) => _tokens -= count;

    /// <summary>How long until at least one token is available.</summary>
    public TimeSpan UntilNext()
    {
        Refill();
        return _tokens >= 1 ? TimeSpan.Zero : TimeSpan.FromSeconds(Math.Max((1 - _tokens) / _rate, 0.0005));
    }

    private void Refill()
    {
        var now = _time.GetTimestamp();
        _tokens = Math.Min(_burst, _tokens + (_time.GetElapsedTime(_last, now).TotalSeconds * _rate));
        _last = now;
    }
}
