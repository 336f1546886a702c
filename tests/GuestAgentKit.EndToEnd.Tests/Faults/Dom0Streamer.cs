using System.Net.Sockets;

namespace GuestAgentKit.EndToEnd.Tests.Faults;

/// <summary>
/// dom0's end of a checked stream, across as many connections to the channel socket as a test makes: writes the
/// <see cref="SequenceChecker"/> sequence (continuing where the last connection stopped) and checks what the guest
/// sent. Every connection is read to its end (EOF, or ECONNRESET once the queue is drained), so whatever the
/// backend wrote into the socket is counted as delivered.
/// </summary>
/// <param name="seed">Seed of the chunk sizes.</param>
internal sealed class Dom0Streamer(int seed)
{
    private readonly Random _random = new(seed);
    private long _next;

    /// <summary>What the guest sent, as dom0 read it.</summary>
    public SequenceChecker FromGuest { get; } = new();

    /// <summary>The next position dom0 will write: everything before it was written, or was in flight when a
    /// connection broke (those positions are never sent again).</summary>
    public long Next => Interlocked.Read(ref _next);

    /// <summary>Reads the connection until it ends (EOF or reset) or <paramref name="until"/> is true after a read.</summary>
    /// <returns>True when the connection ended.</returns>
    public async Task<bool> ReadAsync(Socket socket, Func<bool>? until = null)
    {
        var buffer = new byte[16 * 1024];
        while (until?.Invoke() != true)
        {
            int n;
            try
            {
                n = await socket.ReceiveAsync(buffer, SocketFlags.None, TestContext.Current.CancellationToken);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
            {
                return true; // the backend died with bytes of ours unread; all it wrote was read first
            }

            if (n == 0)
            {
                return true;
            }

            FromGuest.Feed(buffer.AsSpan(0, n));
        }

        return false;
    }

    /// <summary>
    /// Writes the sequence in random chunks until <paramref name="count"/> bytes are written, <paramref name="stop"/>
    /// is true between chunks, or the connection breaks.
    /// </summary>
    /// <returns>False when the connection broke.</returns>
    public async Task<bool> WriteAsync(Socket socket, long count = long.MaxValue, Func<bool>? stop = null)
    {
        var buffer = new byte[4096];
        for (long sent = 0; sent < count && stop?.Invoke() != true;)
        {
            var n = (int)Math.Min(_random.Next(1, buffer.Length + 1), count - sent);
            SequenceChecker.Fill(buffer.AsSpan(0, n), _next);
            try
            {
                await socket.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, TestContext.Current.CancellationToken);
            }
            catch (SocketException)
            {
                Interlocked.Add(ref _next, n); // some of it may have gone; never sent again, so at most a gap
                return false;
            }

            Interlocked.Add(ref _next, n);
            sent += n;
        }

        return true;
    }

    /// <summary>Ends a session losslessly: no more bytes may come (shutdown(SHUT_RD)), what is queued is read, then
    /// end of stream to the backend (shutdown(SHUT_WR)) so it reads everything we wrote and closes.</summary>
    public async Task CloseLosslesslyAsync(Socket socket)
    {
        socket.Shutdown(SocketShutdown.Receive);
        await ReadAsync(socket).WaitAsync(LoopbackRig.Timeout, TestContext.Current.CancellationToken);
        socket.Shutdown(SocketShutdown.Send);
        socket.Dispose();
    }
}
