using System.Globalization;

namespace GuestAgentKit.Xen;

/// <summary>A Xen domain id (<c>domid_t</c>, 16 bits). Domain 0 is the control domain.</summary>
/// <param name="Value">The numeric domain id.</param>
public readonly record struct DomainId(ushort Value)
{
    /// <summary>The control domain, dom0.</summary>
    public static DomainId Dom0 => default;

    /// <summary>Largest id of an ordinary domain (<c>DOMID_FIRST_RESERVED - 1</c>, xen.h).</summary>
    public const ushort MaxNormal = 0x7FEF;

    /// <summary>Parses a decimal domain id in the range of ordinary domains.</summary>
    /// <param name="text">Decimal text, e.g. "5".</param>
    /// <param name="id">The parsed id.</param>
    /// <returns>True when <paramref name="text"/> is a decimal number from 0 to <see cref="MaxNormal"/>.</returns>
    public static bool TryParse(string? text, out DomainId id)
    {
        id = default;
        if (!ushort.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value > MaxNormal)
        {
            return false;
        }

        id = new DomainId(value);
        return true;
    }

    /// <inheritdoc />
    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);
}
