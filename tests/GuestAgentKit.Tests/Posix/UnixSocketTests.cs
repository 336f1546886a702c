using System.Net.Sockets;
using GuestAgentKit.Posix;

namespace GuestAgentKit.Tests.Posix;

public sealed class UnixSocketTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ConnectAsync_BacklogFull_WaitsUntilTheListenerAccepts()
    {
        var directory = Directory.CreateTempSubdirectory("gak-unixsocket-");
        var path = Path.Combine(directory.FullName, "s");
        var queued = new List<Socket>();
        try
        {
            using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            listener.Bind(new UnixDomainSocketEndPoint(path));
            listener.Listen(1);

            // Fill the backlog until the kernel refuses a plain (non-blocking) .NET connect with EAGAIN.
            SocketError refusal;
            while (true)
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), Ct).AsTask().WaitAsync(Timeout, Ct);
                    queued.Add(socket);
                }
                catch (SocketException e)
                {
                    socket.Dispose();
                    refusal = e.SocketErrorCode;
                    break;
                }

                Assert.True(queued.Count < 64, "the backlog never filled");
            }

            Assert.Equal(SocketError.WouldBlock, refusal);

            var connecting = UnixSocket.ConnectAsync(path, Ct);
            var accepted = new List<Socket>();
            while (!connecting.IsCompleted)
            {
                accepted.Add(await listener.AcceptAsync(Ct).AsTask().WaitAsync(Timeout, Ct));
                await Task.WhenAny(connecting, Task.Delay(50, Ct));
            }

            using var connected = await connecting.WaitAsync(Timeout, Ct);
            Assert.True(connected.Connected);
            accepted.ForEach(a => a.Dispose());
        }
        finally
        {
            queued.ForEach(s => s.Dispose());
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task ConnectAsync_NobodyListening_ReportsAtOnce()
    {
        var path = Path.Combine(Path.GetTempPath(), "gak-no-such-socket-" + Guid.NewGuid().ToString("N"));

        var error = await Assert.ThrowsAsync<SocketException>(() => UnixSocket.ConnectAsync(path, Ct).WaitAsync(Timeout, Ct));

        Assert.NotEqual(SocketError.WouldBlock, error.SocketErrorCode);
    }
}
