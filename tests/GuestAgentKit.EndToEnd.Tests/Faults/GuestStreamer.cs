using GuestAgentKit.Posix;

namespace GuestAgentKit.EndToEnd.Tests.Faults;

/// <summary>
/// The guest's end of a checked stream: opens the emulated <c>/dev/hvcN</c> raw (as the agent does), writes the
/// <see cref="SequenceChecker"/> sequence into it as fast as the ring takes it, in random chunk sizes, and checks
/// everything dom0 sends back. <see cref="Written"/> counts only writes the tty accepted whole.
/// </summary>
internal sealed class GuestStreamer : IAsyncDisposable
{
    private readonly FdStream _tty;
    private readonly CancellationTokenSource _stopReading = new();
    private readonly Task _writer;
    private readonly Task _reader;
    private volatile bool _stopWriting;
    private long _written;

    private GuestStreamer(string device, int seed, bool write)
    {
        _tty = Tty.OpenRaw(device);
        _writer = write ? Task.Run(() => WriteAsync(new Random(seed))) : Task.CompletedTask;
        _reader = Task.Run(ReadAsync);
    }

    /// <summary>What dom0 sent, as the guest read it.</summary>
    public SequenceChecker FromDom0 { get; } = new();

    /// <summary>Bytes of the sequence the guest has written so far.</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>What the reader and writer are doing (for failure messages).</summary>
    public string Status => $"guest writer {_writer.Status} ({Written} written, {_writer.Exception?.InnerException?.Message}), reader {_reader.Status} ({_reader.Exception?.InnerException?.Message}); {FromDom0.Describe("dom0->guest")}";

    /// <summary>Opens the device and starts reading (and, when <paramref name="write"/>, writing).</summary>
    public static GuestStreamer Start(string device, int seed, bool write = true) => new(device, seed, write);

    /// <summary>Stops writing after the current chunk; returns the total written (bounded wait).</summary>
    public async Task<long> StopWritingAsync()
    {
        _stopWriting = true;
        await _writer.WaitAsync(LoopbackRig.Timeout, TestContext.Current.CancellationToken);
        return Written;
    }

    public async ValueTask DisposeAsync()
    {
        _stopWriting = true;
        await _stopReading.CancelAsync();
        await _tty.DisposeAsync(); // also ends a write blocked on a full ring
        await Task.WhenAll(_writer, _reader).ContinueWith(_ => { }, TaskScheduler.Default).WaitAsync(LoopbackRig.Timeout);
        _stopReading.Dispose();
    }

    private async Task WriteAsync(Random random)
    {
        var buffer = new byte[4096];
        while (!_stopWriting)
        {
            var n = random.Next(1, buffer.Length + 1);
            SequenceChecker.Fill(buffer.AsSpan(0, n), _written);
            await _tty.WriteAsync(buffer.AsMemory(0, n), CancellationToken.None);
            Interlocked.Add(ref _written, n);
        }
    }

    private async Task ReadAsync()
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var n = await _tty.ReadAsync(buffer, _stopReading.Token);
                if (n == 0)
                {
                    return;
                }

                FromDom0.Feed(buffer.AsSpan(0, n));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException && _stopReading.IsCancellationRequested)
        {
        }
    }
}
