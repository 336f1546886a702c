using System.Globalization;
using GuestAgentKit.Xen;

namespace GuestAgentKit.Host.Provisioning;

/// <summary>Where a console device lives in xenstore (libxl_device.c <c>libxl__domain_device_frontend_path</c>,
/// <c>libxl__device_backend_path</c>).</summary>
public static class ChannelPaths
{
    /// <summary>Our frontend <c>type</c> value: QEMU serves only <c>ioemu</c>, xenconsoled only
    /// <c>xenconsoled</c>, so neither touches a console of this type, and our backend touches no other.</summary>
    public const string ChannelBackendType = "guestagentkit";

    /// <summary>The console protocol libxl writes (<c>LIBXL_XENCONSOLE_PROTOCOL</c>).</summary>
    public const string Protocol = "vt100";

    /// <summary><c>/local/domain/&lt;D&gt;</c>.</summary>
    /// <param name="domain">The domain.</param>
    /// <returns>The path.</returns>
    public static string Domain(DomainId domain) => "/local/domain/" + domain;

    /// <summary><c>/local/domain/&lt;D&gt;/device/console</c>.</summary>
    /// <param name="domain">The frontend domain.</param>
    /// <returns>The path.</returns>
    public static string FrontendRoot(DomainId domain) => Domain(domain) + "/device/console";

    /// <summary><c>/local/domain/&lt;D&gt;/device/console/&lt;N&gt;</c>.</summary>
    /// <param name="domain">The frontend domain.</param>
    /// <param name="devid">The console devid.</param>
    /// <returns>The path.</returns>
    public static string Frontend(DomainId domain, int devid) =>
        FrontendRoot(domain) + "/" + devid.ToString(CultureInfo.InvariantCulture);

    /// <summary><c>/local/domain/&lt;B&gt;/backend/console</c>: what a backend in domain B watches.</summary>
    /// <param name="backend">The backend domain.</param>
    /// <returns>The path.</returns>
    public static string BackendRoot(DomainId backend) => Domain(backend) + "/backend/console";

    /// <summary><c>/local/domain/&lt;B&gt;/backend/console/&lt;D&gt;/&lt;N&gt;</c>.</summary>
    /// <param name="backend">The backend domain.</param>
    /// <param name="domain">The frontend domain.</param>
    /// <param name="devid">The console devid.</param>
    /// <returns>The path.</returns>
    public static string Backend(DomainId backend, DomainId domain, int devid) =>
        BackendRoot(backend) + "/" + domain + "/" + devid.ToString(CultureInfo.InvariantCulture);

    /// <summary>Parses a devid directory entry as Xen tools do: decimal digits only, no sign, no leading zeros.</summary>
    /// <param name="text">The entry.</param>
    /// <param name="devid">The devid.</param>
    /// <returns>True when <paramref name="text"/> is a devid.</returns>
    public static bool TryParseDevid(string? text, out int devid)
    {
        devid = 0;
        return text is { Length: > 0 and <= 4 } && text.All(char.IsAsciiDigit) && (text.Length == 1 || text[0] != '0')
            && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out devid);
    }
}
