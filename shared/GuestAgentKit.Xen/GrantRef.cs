using System.Globalization;

namespace GuestAgentKit.Xen;

/// <summary>A grant reference (<c>grant_ref_t</c>): names a page one domain shares with another.</summary>
/// <param name="Value">The numeric grant reference.</param>
public readonly record struct GrantRef(uint Value)
{
    /// <summary>The primary console's page (<c>GNTTAB_RESERVED_CONSOLE</c>, grant_table.h).</summary>
    public static GrantRef ReservedConsole => new(0);

    /// <summary>The xenstore ring page (<c>GNTTAB_RESERVED_XENSTORE</c>, grant_table.h).</summary>
    public static GrantRef ReservedXenStore => new(1);

    /// <summary>First reference free for ordinary use (<c>GNTTAB_NR_RESERVED_ENTRIES</c>).</summary>
    public const uint FirstFree = 8;

    /// <inheritdoc />
    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);
}
