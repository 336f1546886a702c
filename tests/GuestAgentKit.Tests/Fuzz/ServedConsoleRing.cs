using GuestAgentKit.Xen;
using GuestAgentKit.Xen.Platform;
using GuestAgentKit.Xen.Rings;

namespace GuestAgentKit.Tests.Fuzz;

/// <summary>
/// The backend's end of one console page, served as a backend serves it: one loop reading the
/// <c>out</c> ring and one writing the <c>in</c> ring through a <see cref="RingStream"/>. A loop
/// ends at the first broken-ring <see cref="IOException"/> (recorded) or when the stream is
/// disposed; any other exception escapes to the test.
/// </summary>
internal sealed class ServedConsoleRing
{
    private readonly DuplexRing _ring;
    private readonly RingStream _stream;
    private readonly Task<long> _reader;
    private readonly Task<long> _writer;

    public ServedConsoleRing(SharedPage page, IEventChannel channel)
    {
        _ring = ConsoleRing.Backend(page);
        _stream = new RingStream(_ring, channel);
        _reader = ReadLoopAsync();
        _writer = WriteLoopAsync();
    }

    public string? ReaderBroken { get; private set; }

    public string? WriterBroken { get; private set; }

    /// <summary>Stops serving and reports what the loops moved. Checks that a broken ring stays broken with the same reason.</summary>
    public async Task<(long Read, long Written)> StopAsync(TimeSpan timeout)
    {
        if (ReaderBroken is not null && _reader.IsCompleted)
        {
            // Reported once and sticky: asking again gives the same reason, whatever the peer did since.
            var again = await Assert.ThrowsAsync<IOException>(() => _stream.ReadAsync(new byte[1]).AsTask().WaitAsync(timeout));
            Assert.Equal(ReaderBroken, again.Message);
            Assert.StartsWith("broken ring 'out'", ReaderBroken, StringComparison.Ordinal);
        }

        if (WriterBroken is not null)
        {
            // The stream names the first broken direction of the page, which may be the other one.
            Assert.Matches("^broken ring '(in|out)': ", WriterBroken);
        }

        await _stream.DisposeAsync().AsTask().WaitAsync(timeout);
        return (await _reader.WaitAsync(timeout), await _writer.WaitAsync(timeout));
    }

    private async Task<long> ReadLoopAsync()
    {
        await Task.Yield();
        var buffer = new byte[97];
        long total = 0;
        try
        {
            while (true)
            {
                total += await _stream.ReadAsync(buffer);
            }
        }
        catch (IOException e)
        {
            ReaderBroken = e.Message;
            Assert.NotNull(_ring.Reader.BrokenReason);
        }
        catch (ObjectDisposedException)
        {
        }

        return total;
    }

    private async Task<long> WriteLoopAsync()
    {
        await Task.Yield();
        var chunk = new byte[61];
        Array.Fill(chunk, (byte)'x');
        long total = 0;
        try
        {
            while (true)
            {
                await _stream.WriteAsync(chunk);
                total += chunk.Length;
            }
        }
        catch (IOException e)
        {
            WriterBroken = e.Message;
            Assert.NotNull(_ring.Writer.BrokenReason);
        }
        catch (ObjectDisposedException)
        {
        }

        return total;
    }
}
