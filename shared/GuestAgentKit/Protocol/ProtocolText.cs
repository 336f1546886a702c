using System.Globalization;

namespace GuestAgentKit.Protocol;

/// <summary>Formatting shared by protocol error messages.</summary>
internal static class ProtocolText
{
    /// <summary>"10 s", "1.5 s", "250 ms".</summary>
    public static string Duration(TimeSpan time) =>
        time.TotalSeconds >= 1
            ? time.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s"
            : time.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture) + " ms";
}
