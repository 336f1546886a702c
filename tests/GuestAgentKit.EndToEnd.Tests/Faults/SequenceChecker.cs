using System.Globalization;

namespace GuestAgentKit.EndToEnd.Tests.Faults;

/// <summary>
/// Checks one direction of a stream whose byte at position p is <see cref="At"/>(p), and says exactly what went
/// wrong when it is not. The bytes are pseudo-random, so any 32 consecutive ones identify their position: after a
/// mismatch (or at the start of a segment, i.e. a new connection) the checker finds where the stream resumed and
/// books the jump — backwards is a duplicate of that many bytes, forwards is that many bytes lost — and what can be
/// placed nowhere near is corruption. A stream with no jumps was delivered with nothing lost, duplicated or
/// reordered (a reordering is a jump back and a jump forward).
/// </summary>
internal sealed class SequenceChecker
{
    /// <summary>Bytes that pin a position (2^-256 chance of a false match per candidate).</summary>
    private const int Anchor = 32;

    /// <summary>How far back a resumed stream is searched for (a duplicate is at most a ring's worth, 2 KiB).</summary>
    private const long MaxBack = 64 * 1024;

    /// <summary>How far forward (a loss is at most what socket buffers and rings held).</summary>
    private const long MaxForward = 16L * 1024 * 1024;

    private readonly Lock _lock = new();
    private readonly byte[] _pending = new byte[Anchor];
    private readonly List<SequenceJump> _jumps = [];
    private int _pendingCount;
    private bool _aligning;
    private bool _segmentStart;
    private long _expected;
    private long _received;
    private long _segments;
    private long _corrupt;
    private long _unplaced;

    /// <summary>The next position the stream should deliver (everything before it arrived, possibly with jumps).</summary>
    public long Expected
    {
        get
        {
            lock (_lock)
            {
                return _expected;
            }
        }
    }

    /// <summary>Bytes fed in total (duplicates included).</summary>
    public long Received
    {
        get
        {
            lock (_lock)
            {
                return _received;
            }
        }
    }

    /// <summary>Jumps seen so far.</summary>
    public IReadOnlyList<SequenceJump> Jumps
    {
        get
        {
            lock (_lock)
            {
                return [.. _jumps];
            }
        }
    }

    /// <summary>Blocks of <see cref="Anchor"/> bytes that matched no position near the expected one.</summary>
    public long Corrupt
    {
        get
        {
            lock (_lock)
            {
                return _corrupt;
            }
        }
    }

    /// <summary>Bytes duplicated (sum of backward jumps).</summary>
    public long Duplicated => Jumps.Where(j => j.Bytes < 0).Sum(j => -j.Bytes);

    /// <summary>Bytes lost (sum of forward jumps).</summary>
    public long Lost => Jumps.Where(j => j.Bytes > 0).Sum(j => j.Bytes);

    /// <summary>Byte <paramref name="position"/> of the stream: the top byte of SplitMix64(position).</summary>
    public static byte At(long position)
    {
        var z = unchecked((ulong)position + 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return (byte)((z ^ (z >> 31)) >> 56);
    }

    /// <summary>Fills <paramref name="buffer"/> with the stream from <paramref name="position"/> on.</summary>
    public static void Fill(Span<byte> buffer, long position)
    {
        for (var i = 0; i < buffer.Length; i++)
        {
            buffer[i] = At(position + i);
        }
    }

    /// <summary>A new connection starts: its first bytes may resume anywhere near <see cref="Expected"/>.</summary>
    public void BeginSegment()
    {
        lock (_lock)
        {
            // The last connection ended before a whole anchor arrived: place what did (8 bytes still pin a
            // position: 2^-64 per candidate); fewer are booked as unplaced rather than guessed.
            if (_pendingCount >= 8)
            {
                Align(_pending.AsSpan(0, _pendingCount));
            }
            else
            {
                _unplaced += _pendingCount;
                _pendingCount = 0;
            }

            _segments++;
            _aligning = true;
            _segmentStart = true;
        }
    }

    /// <summary>Checks the next bytes of the stream.</summary>
    public void Feed(ReadOnlySpan<byte> data)
    {
        lock (_lock)
        {
            _received += data.Length;
            foreach (var b in data)
            {
                if (!_aligning && b == At(_expected))
                {
                    _expected++;
                    continue;
                }

                _aligning = true;
                _pending[_pendingCount++] = b;
                if (_pendingCount == Anchor)
                {
                    Align(_pending);
                }
            }
        }
    }

    /// <summary>A one-line account for the test output and the docs.</summary>
    public string Describe(string direction)
    {
        lock (_lock)
        {
            return string.Create(
                CultureInfo.InvariantCulture,
                $"{direction}: {_expected} positions delivered, {_received} bytes received{(_segments > 0 ? $" over {_segments} connection(s)" : "")}, lost {Lost}, duplicated {Duplicated}, corrupt blocks {_corrupt}, unplaced {_unplaced}, jumps [{string.Join(", ", _jumps)}]");
        }
    }

    private void Align(Span<byte> block)
    {
        _pendingCount = 0;
        _aligning = false;
        var segmentStart = _segmentStart;
        _segmentStart = false;
        var at = Find(block, _expected);
        if (at is not { } position)
        {
            _corrupt++;
            return;
        }

        if (position != _expected)
        {
            _jumps.Add(new SequenceJump(_expected, position - _expected, _segments, segmentStart));
        }

        _expected = position + block.Length;
    }

    private static long? Find(ReadOnlySpan<byte> block, long expected)
    {
        if (Matches(block, expected))
        {
            return expected;
        }

        for (var p = expected - 1; p >= Math.Max(0, expected - MaxBack); p--)
        {
            if (Matches(block, p))
            {
                return p;
            }
        }

        for (var p = expected + 1; p <= expected + MaxForward; p++)
        {
            if (Matches(block, p))
            {
                return p;
            }
        }

        return null;
    }

    private static bool Matches(ReadOnlySpan<byte> block, long position)
    {
        for (var i = 0; i < block.Length; i++)
        {
            if (block[i] != At(position + i))
            {
                return false;
            }
        }

        return true;
    }
}
