namespace GuestAgentKit.Samples.Clipboard.Guest;

/// <summary>
/// Picks the clipboard backend for a session: Wayland when WAYLAND_DISPLAY is set and wl-copy and
/// wl-paste are on PATH, else X11 when DISPLAY is set and xclip is on PATH (XWayland sessions set both;
/// the native Wayland tools win), else <see cref="InMemoryClipboard"/>.
/// </summary>
public static class ClipboardFactory
{
    private static readonly string[] PassedVariables = ["WAYLAND_DISPLAY", "XDG_RUNTIME_DIR", "DISPLAY", "XAUTHORITY"];

    /// <summary>Detects from this process's environment.</summary>
    public static IClipboard Detect(TimeSpan? pollInterval = null) =>
        Detect(
            System.Environment.GetEnvironmentVariables().Keys.Cast<string>()
                .ToDictionary(k => k, k => System.Environment.GetEnvironmentVariable(k) ?? "", StringComparer.Ordinal),
            pollInterval);

    /// <summary>Detects from <paramref name="environment"/> (its PATH is searched; only absolute PATH entries count).</summary>
    public static IClipboard Detect(IReadOnlyDictionary<string, string> environment, TimeSpan? pollInterval = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var path = environment.GetValueOrDefault("PATH", "");
        var passed = PassedVariables
            .Where(v => !string.IsNullOrEmpty(environment.GetValueOrDefault(v)))
            .ToDictionary(v => v, v => environment[v], StringComparer.Ordinal);

        if (!string.IsNullOrEmpty(environment.GetValueOrDefault("WAYLAND_DISPLAY"))
            && FindExecutable("wl-paste", path) is { } wlPaste
            && FindExecutable("wl-copy", path) is { } wlCopy)
        {
            return new WaylandClipboard(wlPaste, wlCopy, passed, pollInterval);
        }

        if (!string.IsNullOrEmpty(environment.GetValueOrDefault("DISPLAY"))
            && FindExecutable("xclip", path) is { } xclip)
        {
            return new X11Clipboard(xclip, passed, pollInterval);
        }

        return new InMemoryClipboard();
    }

    /// <summary>
    /// The first executable regular file named <paramref name="name"/> in the absolute directories of
    /// <paramref name="path"/>. Relative entries (including the empty one, meaning the working directory)
    /// are skipped: an agent running as root must not execute whatever lies in its working directory.
    /// </summary>
    public static string? FindExecutable(string name, string path)
    {
        const UnixFileMode anyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        foreach (var directory in path.Split(':'))
        {
            if (!Path.IsPathRooted(directory))
            {
                continue;
            }

            var candidate = Path.Join(directory, name);
            if (File.Exists(candidate) && (File.GetUnixFileMode(candidate) & anyExecute) != 0)
            {
                return candidate;
            }
        }

        return null;
    }
}
