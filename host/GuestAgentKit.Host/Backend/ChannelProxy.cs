using System.Net.Sockets;
using System.Text;
using GuestAgentKit.Posix;
using GuestAgentKit.Xen.Platform;
using GuestAgentKit.Xen.Rings;
using Microsoft.Extensions.Logging;

namespace GuestAgentKit.Host.Backend;

/// <summary>
/// Moves bytes between one console ring and its dom0 end (a socket client or a pty master) on one async
/// loop: no thread, no buffer. Guest bytes are written to the client straight from the ring and the
/// consumer index advances only by what the kernel accepted; client bytes are read straight into the free
/// part of the in-ring, so a slow side stops the other (backpressure), and nothing is ever dropped. A token
/// bucket per channel bounds bytes and event-channel wake-ups; an empty bucket defers service.
/// </summary>
internal sealed partial class ChannelProxy : IAsyncDisposable
{
    private readonly ChannelKey _key;
    private readonly DuplexRing _ring;
    private readonly IEventChannel _events;
    private readonly SafeUnixSocket? _listener;
    private readonly Pty? _pty;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly TokenBucket _bytes;
    private readonly TokenBucket _wakeups;
    // Inline: the loop continues on the event pump's or accept loop's thread, one thread hop fewer per event.
    private readonly WakeSignal _wake = new(inline: true);
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _clientLock = new();
    private readonly FdPoller _poller;
    private readonly Task _loop;
    private readonly Task _eventPump;
    private readonly Task _acceptLoop;
    private Socket? _client;
    private readonly Queue<Socket> _pending = new();
    private bool _clientCannotReceive;

    // The poller wait on the client descriptor, kept armed across passes (only the proxy loop touches it):
    // cancelling and re-arming it on every ring event cost a thread hop and two epoll_ctl calls per event.
    // Armed for more than the pass wants costs at most one spurious pass; never re-armed unless wanted.
    private (int Fd, PollEvents Events, Task Wait, CancellationTokenSource Stop)? _fdWait;

    public ChannelProxy(ChannelKey key, DuplexRing ring, IEventChannel events, SafeUnixSocket? listener, Pty? pty, BackendOptions options, ILogger logger, TimeProvider time, FdPoller poller)
    {
        _key = key;
        _ring = ring;
        _events = events;
        _listener = listener;
        _pty = pty;
        _logger = logger;
        _time = time;
        _poller = poller;
        _bytes = new TokenBucket(options.BytesPerSecond, options.BurstBytes, time);
        _wakeups = new TokenBucket(options.EventsPerSecond, Math.Max(1, options.EventsPerSecond / 10), time);
        _eventPump = PumpEventsAsync(_stop.Token);
        _acceptLoop = listener is null ? Task.CompletedTask : AcceptAsync(listener.Listener, _stop.Token);
        _loop = RunAsync(_stop.Token);
    }

    /// <summary>Completes when the channel failed by itself (a broken ring); the reason is the result.</summary>
    public Task<string> Failed => _failed.Task;

    private readonly TaskCompletionSource<string> _failed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        _stop.Cancel();
        _wake.Set();
        try
        {
            await Task.WhenAll(_loop, _eventPump, _acceptLoop).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        while (HasSocketClient())
        {
            DropClient("channel closed");
        }

        _listener?.Dispose();
        _pty?.Dispose();
        _stop.Dispose();
    }

    private async Task PumpEventsAsync(CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await _events.WaitAsync(ct).ConfigureAwait(false);
                TimeSpan delay;
                lock (_wakeups)
                {
                    var allowed = _wakeups.Available >= 1;
                    if (allowed)
                    {
                        _wakeups.Take(1);
                    }

                    delay = allowed ? TimeSpan.Zero : _wakeups.UntilNext();
                }

                // Out of wake-up budget: leave the event pending (it coalesces) until the bucket refills.
                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, _time, ct).ConfigureAwait(false);
                }

                // Outside the lock: the wake-up runs the proxy loop on this thread.
                _wake.Set();
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private async Task AcceptAsync(Socket listener, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            Socket accepted;
            try
            {
                accepted = await listener.AcceptAsync(ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                Log.AcceptFailed(_logger, _key, e.Message);
                return;
            }

            bool taken;
            lock (_clientLock)
            {
                accepted.Blocking = false;
                if (_client is null)
                {
                    _client = accepted;
                    Log.ClientConnected(_logger, _key);
                    taken = true;
                }
                else
                {
                    // Every earlier client already hung up and we are only draining what they sent: the newcomer
                    // is next in line, not a second client.
                    taken = _pending.Count < Limits.BackendDepartedClients && Fd.PeerHasLeft((int)_client.SafeHandle.DangerousGetHandle())
                        && _pending.All(p => Fd.PeerHasLeft((int)p.SafeHandle.DangerousGetHandle()));
                    if (taken)
                    {
                        _pending.Enqueue(accepted);
                    }
                }
            }

            // Outside the lock: the wake-up runs the proxy loop on this thread.
            if (taken)
            {
                _wake.Set();
            }
            else
            {
                Refuse(accepted);
            }
        }
    }

    private void Refuse(Socket second)
    {
        Log.ClientRefused(_logger, _key);
        try
        {
            second.Blocking = false;
            var line = Encoding.ASCII.GetBytes($"gak-backend: channel {_key} is busy: another client is connected\n");
            second.Send(line.AsSpan(0, Math.Min(line.Length, Limits.BackendRefusalMaxBytes)), SocketFlags.None, out _);
            second.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }
        finally
        {
            second.Dispose();
        }
    }

    private (int Fd, bool IsSocket, bool CanReceive)? CurrentClient()
    {
        if (_pty is not null)
        {
            return ((int)_pty.Master.SafeHandle.DangerousGetHandle(), false, true);
        }

        lock (_clientLock)
        {
            return _client is null ? null : ((int)_client.SafeHandle.DangerousGetHandle(), true, !_clientCannotReceive);
        }
    }

    private void DropClient(string why)
    {
        Socket? client;
        Socket? next;
        lock (_clientLock)
        {
            client = _client;
            _pending.TryDequeue(out next);
            _client = next;
            _clientCannotReceive = false;
        }

        if (client is not null)
        {
            _poller.Forget((int)client.SafeHandle.DangerousGetHandle());
            client.Dispose();
            Log.ClientGone(_logger, _key, why);
        }

        if (next is not null)
        {
            Log.ClientConnected(_logger, _key);
        }
    }

    private bool HasSocketClient()
    {
        lock (_clientLock)
        {
            return _client is not null;
        }
    }

    private void StopSendingToClient()
    {
        // Its receive side is gone (shutdown(SHUT_RD) or close): keep the bytes in the ring, but go on reading
        // what it sent until end of stream, so nothing it wrote is lost.
        lock (_clientLock)
        {
            _clientCannotReceive = true;
        }
    }

    private async Task RunAsync(CancellationToken ct)
    {
        await Task.Yield();
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var wake = _wake.Next;
                var client = CurrentClient();
                var step = Step(client);
                if (step.Broken is { } reason)
                {
                    _failed.TrySetResult(reason);
                    return;
                }

                if (step.Progress)
                {
                    continue;
                }

                await WaitAsync(wake, client, step, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        finally
        {
            await ReleaseFdWaitAsync().ConfigureAwait(false);
        }
    }

    private async Task WaitAsync(Task wake, (int Fd, bool IsSocket, bool CanReceive)? client, StepResult step, CancellationToken ct)
    {
        var events = (step.WantIn ? PollEvents.In : PollEvents.None) | (step.WantOut ? PollEvents.Out : PollEvents.None);
        var wanted = client is { } c && events != PollEvents.None ? (c.Fd, events) : ((int Fd, PollEvents Events)?)null;
        if (_fdWait is { } armed && (armed.Wait.IsCompleted || (wanted is { } w && (w.Fd != armed.Fd || (w.Events & ~armed.Events) != 0))))
        {
            await ReleaseFdWaitAsync().ConfigureAwait(false);
        }

        if (_fdWait is null && wanted is { } want)
        {
            var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            _fdWait = (want.Fd, want.Events, _poller.WaitAsync(want.Fd, want.Events, stop.Token).AsTask(), stop);
        }

        if (!step.Throttled)
        {
            await (_fdWait is { } fd ? Task.WhenAny(wake, fd.Wait) : wake).ConfigureAwait(false);
            return;
        }

        using var delayStop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var delay = Task.Delay(_bytes.UntilNext(), _time, delayStop.Token);
        await (_fdWait is { } armedNow ? Task.WhenAny(wake, armedNow.Wait, delay) : Task.WhenAny(wake, delay)).ConfigureAwait(false);
        await delayStop.CancelAsync().ConfigureAwait(false);
        try
        {
            await delay.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Cancels the armed client wait (if still pending) and lets it finish, so the descriptor can be armed again.</summary>
    private async Task ReleaseFdWaitAsync()
    {
        if (_fdWait is not { } armed)
        {
            return;
        }

        _fdWait = null;
        await armed.Stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await armed.Wait.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or PosixException)
        {
        }

        armed.Stop.Dispose();
    }

    private StepResult Step((int Fd, bool IsSocket, bool CanReceive)? client)
    {
        var result = default(StepResult);
        if (_ring.Reader.GetReadable(out var readable) != RingStatus.Ok || _ring.Writer.GetWritable(out var writable) != RingStatus.Ok)
        {
            return result with { Broken = _ring.BrokenReason ?? "broken ring" };
        }

        if (client is not { } c)
        {
            return result; // no client: guest bytes wait in the ring, the guest blocks when it is full
        }

        if (!readable.IsEmpty && c.CanReceive)
        {
            var budget = (int)Math.Min(_bytes.Available, readable.First.Length);
            if (budget == 0)
            {
                result = result with { Throttled = true };
            }
            else
            {
                var n = Fd.TryWrite(c.Fd, readable.First.Span[..budget], c.IsSocket);
                if (n > 0)
                {
                    // Only now may the bytes leave the ring: the kernel has them.
                    _ring.Reader.Advance(n);
                    _bytes.Take(n);
                    _events.Notify();
                    result = result with { Progress = true };
                }
                else if (n == -1)
                {
                    result = result with { WantOut = true };
                }
                else if (c.IsSocket)
                {
                    StopSendingToClient();
                    return result with { Progress = true };
                }
            }
        }

        if (!writable.IsEmpty)
        {
            var budget = (int)Math.Min(_bytes.Available, writable.First.Length);
            if (budget == 0)
            {
                return result with { Throttled = true };
            }

            var n = Fd.TryRead(c.Fd, writable.First.Span[..budget]);
            if (n > 0)
            {
                _ring.Writer.Commit(n);
                _bytes.Take(n);
                _events.Notify();
                return result with { Progress = true };
            }

            if (n == -1)
            {
                return result with { WantIn = true };
            }

            if (c.IsSocket)
            {
                DropClient(n == 0 ? "client closed" : "read failed");
                return result with { Progress = true };
            }

            // A pty whose slave side is gone: wait for an event or for the slave to come back.
            return result;
        }

        return result; // in-ring full: read nothing more until the guest frees room (its event wakes us)
    }

    private readonly record struct StepResult(bool Progress, bool WantIn, bool WantOut, bool Throttled, string? Broken);

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "channel {Key}: client connected")]
        public static partial void ClientConnected(ILogger logger, ChannelKey key);

        [LoggerMessage(Level = LogLevel.Warning, Message = "channel {Key}: refused a second client (one client at a time; the first keeps its session)")]
        public static partial void ClientRefused(ILogger logger, ChannelKey key);

        [LoggerMessage(Level = LogLevel.Error, Message = "channel {Key}: accepting clients failed: {Reason}; the socket accepts no more clients")]
        public static partial void AcceptFailed(ILogger logger, ChannelKey key, string reason);

        [LoggerMessage(Level = LogLevel.Information, Message = "channel {Key}: client disconnected ({Why})")]
        public static partial void ClientGone(ILogger logger, ChannelKey key, string why);
    }
}
