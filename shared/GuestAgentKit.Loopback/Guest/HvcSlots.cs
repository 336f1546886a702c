namespace GuestAgentKit.Loopback.Guest;

/// <summary>
/// The hvc tty lines of the emulated guest. As in hvc_xen, a console gets the first free line at probe
/// time, not its devid; line 0 belongs to the primary console.
/// </summary>
internal sealed class HvcSlots
{
    private readonly bool[] _taken = new bool[Limits.LoopbackHvcLines];
    private readonly Lock _gate = new();

    public HvcSlots()
    {
        _taken[0] = true;
    }

    /// <summary>Takes the first free line from 1, or returns null when all are taken.</summary>
    public int? Take()
    {
        lock (_gate)
        {
            var free = Array.IndexOf(_taken, false);
            if (free < 0)
            {
                return null;
            }

            _taken[free] = true;
            return free;
        }
    }

    public void Free(int line)
    {
        lock (_gate)
        {
            _taken[line] = false;
        }
    }
}
