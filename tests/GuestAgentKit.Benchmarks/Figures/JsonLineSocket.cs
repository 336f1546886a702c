using System.Net.Sockets;
using System.Text;

namespace GuestAgentKit.Benchmarks.Figures;

/// <summary>A dom0 client that sends one JSON line and reads one line back, for qemu-ga's protocol (no framing
/// library in the way, so the figure is the channel's and qemu-ga's latency).</summary>
internal sealed class JsonLineSocket : IDisposable
{
    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[4096];
    private int _start;
    private int _end;

    public JsonLineSocket(string path)
    {
        _socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _socket.Connect(new UnixDomainSocketEndPoint(path));
    }

    public async Task SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        while (!bytes.IsEmpty)
        {
            bytes = bytes[await _socket.SendAsync(bytes, SocketFlags.None, cancellationToken).ConfigureAwait(false)..];
        }
    }

    /// <summary>The next line, without its newline.</summary>
    public async Task<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (newline >= 0)
            {
                var line = Encoding.UTF8.GetString(_buffer, _start, newline - _start);
                _start = newline + 1;
                return line;
            }

            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            if (_end == _buffer.Length)
            {
                throw new InvalidDataException("a line longer than 4096 bytes from qemu-ga");
            }

            var read = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new EndOfStreamException("the channel closed");
            }

            _end += read;
        }
    }

    public void Dispose() => _socket.Dispose();
}
