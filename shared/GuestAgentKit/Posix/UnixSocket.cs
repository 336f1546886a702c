using System.Net.Sockets;
using Microsoft.Win32.SafeHandles;

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

    /// <summary>
    /// An <see cref="FdStream"/> over a duplicate of <paramref name="socket"/>'s descriptor, for readers that want
    /// <see cref="FdStream.ReadsContinueOnPoller"/> (a <see cref="NetworkStream"/> always continues on the thread pool).
    /// The socket stays the caller's: <c>shutdown</c> on it applies to the stream too; disposing the stream closes
    /// only the duplicate.
    /// </summary>
    /// <param name="socket">A connected stream socket.</param>
    /// <param name="name">What the socket is (its path), for error messages.</param>
    /// <returns>The stream, owning the duplicate.</returns>
    /// <exception cref="PosixException">The descriptor could not be duplicated.</exception>
    public static FdStream OpenStream(Socket socket, string name)
    {
        ArgumentNullException.ThrowIfNull(socket);
        var added = false;
        socket.SafeHandle.DangerousAddRef(ref added);
        try
        {
            var duplicate = LibC.Fcntl((int)socket.SafeHandle.DangerousGetHandle(), LibC.F_DUPFD_CLOEXEC, 0);
            if (duplicate < 0)
            {
                throw PosixException.FromErrno($"fcntl(F_DUPFD_CLOEXEC, {name})");
            }

            return new FdStream(new SafeFileHandle(duplicate, ownsHandle: true), name);
        }
        finally
        {
            if (added)
            {
                socket.SafeHandle.DangerousRelease();
            }
        }
    }
}
