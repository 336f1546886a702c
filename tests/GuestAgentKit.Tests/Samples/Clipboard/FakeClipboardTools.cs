using System.Runtime.Versioning;
using System.Text;

namespace GuestAgentKit.Tests.Samples.Clipboard;

/// <summary>
/// Stand-ins for wl-copy, wl-paste and xclip as real shell scripts in a temp bin directory, sharing one
/// state file as "the desktop's clipboard". They check the arguments and display variables our backends
/// must pass, and replace the state file atomically so a polling reader never sees half a text.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class FakeClipboardTools : IDisposable
{
    public FakeClipboardTools()
    {
        Root = Directory.CreateTempSubdirectory("gak-clipboard-").FullName;
        Bin = Path.Join(Root, "bin");
        Directory.CreateDirectory(Bin);
        StatePath = Path.Join(Root, "clipboard");
        var write = $"cat > '{StatePath}.tmp' && mv '{StatePath}.tmp' '{StatePath}'";
        Script("wl-paste", $$"""
            [ -n "$WAYLAND_DISPLAY" ] || { echo "fake wl-paste: WAYLAND_DISPLAY not set" >&2; exit 3; }
            [ "$*" = "--no-newline" ] || { echo "fake wl-paste: unexpected arguments: $*" >&2; exit 2; }
            [ -f '{{StatePath}}' ] || { echo "Nothing is copied" >&2; exit 1; }
            exec cat '{{StatePath}}'
            """);
        Script("wl-copy", $$"""
            [ -n "$WAYLAND_DISPLAY" ] || { echo "fake wl-copy: WAYLAND_DISPLAY not set" >&2; exit 3; }
            [ $# -eq 0 ] || { echo "fake wl-copy: unexpected arguments: $*" >&2; exit 2; }
            {{write}}
            """);
        Script("xclip", $$"""
            [ -n "$DISPLAY" ] || { echo "Error: Can't open display: (null)" >&2; exit 3; }
            case "$*" in
              "-selection clipboard -t UTF8_STRING -o")
                [ -f '{{StatePath}}' ] || { echo "Error: target UTF8_STRING not available" >&2; exit 1; }
                exec cat '{{StatePath}}' ;;
              "-selection clipboard -t UTF8_STRING -i")
                {{write}} ;;
              *) echo "fake xclip: unexpected arguments: $*" >&2; exit 2 ;;
            esac
            """);
    }

    public string Root { get; }

    public string Bin { get; }

    public string StatePath { get; }

    public string? State => File.Exists(StatePath) ? File.ReadAllText(StatePath, Encoding.UTF8) : null;

    public void SetState(string text) => File.WriteAllText(StatePath, text, new UTF8Encoding(false));

    public void Dispose() => Directory.Delete(Root, recursive: true);

    private void Script(string name, string body)
    {
        var path = Path.Join(Bin, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
    }
}
