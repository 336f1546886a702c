namespace GuestAgentKit.Xen.Rings;

/// <summary>
/// The bounded, adaptive spin of one ring waiter (a stream's reader or writer, a backend channel loop) before
/// it blocks on the event channel. Every blocking wait costs the peer's notification a wake-up (idle-state
/// exit, context switch); while the peer is busy, re-reading its index for a few microseconds catches the next
/// produce or consume without one. The spin is bounded by <see cref="Limits.RingSpin"/>, happens only within
/// <see cref="Limits.RingSpinAfterActivity"/> of moving bytes (an idle channel never spins), yields the core
/// between checks (a peer runnable on the same core gets it), and backs off after spins that caught nothing
/// (<see cref="Limits.RingSpinBackoffMaxWaits"/>). It never replaces the blocking wait: a waiter whose spin
/// ends empty-handed arms its event wait and re-checks the ring as before. One waiter; not thread-safe.
/// </summary>
public sealed class RingSpin
{
    private readonly TimeProvider _time;
    private readonly long _limitTicks;
    private readonly long _afterActivityTicks;

    // Far enough in the past to read as idle, near enough that now minus it cannot overflow.
    private long _lastMoved = long.MinValue / 2;
    private int _misses;
    private int _skip;

    /// <summary>Creates the spin state of one waiter.</summary>
    /// <param name="time">The clock of the bounds (tests pass a fake one); the system clock when null.</param>
    public RingSpin(TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _limitTicks = Ticks(Limits.RingSpin);
        _afterActivityTicks = Ticks(Limits.RingSpinAfterActivity);
    }

    /// <summary>Records that the waiter moved bytes now: waits within <see cref="Limits.RingSpinAfterActivity"/> may spin.</summary>
    public void Moved() => _lastMoved = _time.GetTimestamp();

    /// <summary>
    /// Whether the coming wait should spin first: bytes moved recently and no back-off pending. A false answer
    /// uses up one wait of a pending back-off.
    /// </summary>
    /// <returns>True to call <see cref="Spin{TState}"/> next.</returns>
    public bool ShouldSpin()
    {
        if (_time.GetTimestamp() - _lastMoved > _afterActivityTicks)
        {
            return false;
        }

        if (_skip > 0)
        {
            _skip--;
            return false;
        }

        return true;
    }

    /// <summary>
    /// Re-checks <paramref name="ready"/> until it holds or <see cref="Limits.RingSpin"/> has passed, yielding
    /// between checks. A catch counts as activity; a miss starts (or doubles) the back-off.
    /// </summary>
    /// <typeparam name="TState">What <paramref name="ready"/> looks at (no closure, no allocation).</typeparam>
    /// <param name="ready">Whether the waiter has something to do (the peer's index moved, or it is stopping).</param>
    /// <param name="state">Passed to <paramref name="ready"/>.</param>
    /// <returns>True when <paramref name="ready"/> held before the bound.</returns>
    public bool Spin<TState>(Func<TState, bool> ready, TState state)
    {
        ArgumentNullException.ThrowIfNull(ready);
        var start = _time.GetTimestamp();
        var spinner = default(SpinWait);
        while (!ready(state))
        {
            if (_time.GetTimestamp() - start > _limitTicks)
            {
                _misses = Math.Min(_misses + 1, 30);
                _skip = (int)Math.Min((1L << _misses) - 1, Limits.RingSpinBackoffMaxWaits);
                return false;
            }

            // Never Sleep(1): a millisecond asleep is far past the bound. Yield and Sleep(0) let a thread
            // waiting for this core (perhaps the peer) run.
            spinner.SpinOnce(sleep1Threshold: -1);
        }

        _misses = 0;
        Moved();
        return true;
    }

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);
}
