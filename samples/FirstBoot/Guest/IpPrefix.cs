using System.Net;

namespace GuestAgentKit.Samples.FirstBoot.Guest;

/// <summary>An interface address with its prefix length (<c>192.0.2.10/24</c>).</summary>
internal readonly record struct IpPrefix(IPAddress Address, int Length)
{
    /// <summary>Whether <paramref name="other"/> is in the same family and shares the first <see cref="Length"/> bits.</summary>
    public bool Contains(IPAddress other)
    {
        if (other.AddressFamily != Address.AddressFamily)
        {
            return false;
        }

        var a = Address.GetAddressBytes();
        var b = other.GetAddressBytes();
        var fullBytes = Length / 8;
        if (!a.AsSpan(0, fullBytes).SequenceEqual(b.AsSpan(0, fullBytes)))
        {
            return false;
        }

        var restBits = Length % 8;
        var mask = (byte)(0xff << (8 - restBits));
        return restBits == 0 || (a[fullBytes] & mask) == (b[fullBytes] & mask);
    }

    public override string ToString() => $"{Address}/{Length}";
}
