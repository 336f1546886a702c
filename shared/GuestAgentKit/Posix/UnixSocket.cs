using System.Net.Sockets;

namespace GuestAgentKit.Posix;

/// <summary>Connecting to a local stream socket the way a blocking <c>connect(2)</c> would.</summary>
public static class UnixSocket
{
    private static readonly TimeSpan BusyRetryDelay = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// Connects to the Unix stream socket at <paramref name="path"/>. .NET connects non-blocking, and Linux answers a
    /// non-blocking connect to a listener whose backlog is full with <c>EAGAIN</c> where a blocking connect would
    /// wait; this waits too, retrying for at most <see cref="Limits.UnixSocketBusyTimeout"/>.
    /// </summary>
    /// <param name="path">The socket's path.</param>
    /// <param name="cancellationToken">Cancels connecting.</param>
    /// <returns>The connected socket; the caller owns it.</returns>
    /// <exception cref="SocketException">Connecting failed (the last <c>EAGAIN</c> when the listener stayed busy).</exception>
    public static async Task<Socket> ConnectAsync(string path, CancellationToken cancellationToken)
    {
        var busyUntil = DateTime.UtcNow + Limits.UnixSocketBusyTimeout;
        while (true)
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken).ConfigureAwait(false);
                return socket;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.WouldBlock && DateTime.UtcNow < busyUntil)
            {
                socket.Dispose();
            }
            catch
            {
                socket.Dispose();
                throw;
            }

            await Task.Delay(BusyRetryDelay, cancellationToken).ConfigureAwait(false);
        }
    }
}
