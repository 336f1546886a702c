using GuestAgentKit.Xen;
using GuestAgentKit.Xen.Platform;
using GuestAgentKit.Xen.Rings;

namespace GuestAgentKit.Tests.Fuzz;

/// <summary>
/// A malicious guest console driver: writes random bytes and indices into its console page
/// (<c>struct xencons_interface</c>) and fires event storms, with a bias towards indices that stay
/// valid, so the backend spends most mutations serving a live but lying ring rather than a dead one.
/// </summary>
internal sealed class HostileConsoleFrontend(SharedPage page, IEventChannel channel, Random random)
{
    /// <summary>Mutations applied so far.</summary>
    public long Mutations { get; private set; }

    /// <summary>Notifications sent so far.</summary>
    public long Notifications { get; private set; }

    /// <summary>Index values written that broke the ring invariant <c>prod - cons &lt;= size</c>.</summary>
    public long InvalidIndexWrites { get; private set; }

    /// <summary>Applies one random mutation.</summary>
    public void Mutate()
    {
        Mutations++;
        switch (random.Next(100))
        {
            case < 34:
                // Ring data: what the backend copies out is the peer's business, but it must not matter where.
                random.NextBytes(page.Slice(random.Next(XenConsInterface.InConsOffset - 64), random.Next(1, 64)));
                break;
            case < 35:
                random.NextBytes(page.Slice(random.Next(SharedPage.Size - 64), random.Next(1, 64))); // anywhere, indices included
                break;
            case < 60:
                // Publish "new" output: any amount up to a full ring past what the backend consumed.
                var outCons = page.ReadUInt32Volatile(XenConsInterface.OutConsOffset);
                page.WriteUInt32Volatile(XenConsInterface.OutProdOffset, outCons + (uint)random.Next(XenConsInterface.OutSize + 1));
                break;
            case < 80:
                // Claim to have consumed input: anywhere between what the backend produced minus a ring and that.
                var inProd = page.ReadUInt32Volatile(XenConsInterface.InProdOffset);
                page.WriteUInt32Volatile(XenConsInterface.InConsOffset, inProd - (uint)random.Next(XenConsInterface.InSize + 1));
                break;
            case < 81:
                WriteRandomIndex();
                break;
            case < 94:
                Storm(random.Next(1, 200));
                break;
            default:
                // Indices near the 32-bit wrap, still valid.
                var near = uint.MaxValue - (uint)random.Next(4096);
                page.WriteUInt32Volatile(XenConsInterface.OutConsOffset, near);
                page.WriteUInt32Volatile(XenConsInterface.OutProdOffset, near + (uint)random.Next(XenConsInterface.OutSize + 1));
                break;
        }

        if (random.Next(2) == 0)
        {
            Notify();
        }
    }

    /// <summary>Sends <paramref name="count"/> notifications back to back.</summary>
    public void Storm(int count)
    {
        for (var i = 0; i < count; i++)
        {
            Notify();
        }
    }

    /// <summary>Leaves the page in a valid, quiet state: output empty, input full (the backend can do nothing).</summary>
    public void Quiesce()
    {
        var outCons = page.ReadUInt32Volatile(XenConsInterface.OutConsOffset);
        page.WriteUInt32Volatile(XenConsInterface.OutProdOffset, outCons);
        var inProd = page.ReadUInt32Volatile(XenConsInterface.InProdOffset);
        page.WriteUInt32Volatile(XenConsInterface.InConsOffset, inProd - XenConsInterface.InSize);
        Notify();
    }

    private void WriteRandomIndex()
    {
        int[] fields = [XenConsInterface.InConsOffset, XenConsInterface.InProdOffset, XenConsInterface.OutConsOffset, XenConsInterface.OutProdOffset];
        page.WriteUInt32Volatile(fields[random.Next(fields.Length)], (uint)random.NextInt64(uint.MaxValue + 1L));
        var inUsed = page.ReadUInt32Volatile(XenConsInterface.InProdOffset) - page.ReadUInt32Volatile(XenConsInterface.InConsOffset);
        var outUsed = page.ReadUInt32Volatile(XenConsInterface.OutProdOffset) - page.ReadUInt32Volatile(XenConsInterface.OutConsOffset);
        if (inUsed > XenConsInterface.InSize || outUsed > XenConsInterface.OutSize)
        {
            InvalidIndexWrites++;
        }
    }

    private void Notify()
    {
        Notifications++;
        channel.Notify();
    }
}
