using System.Runtime.Versioning;

// The guest clipboard drives Linux desktop tools (wl-clipboard, xclip) and checks Unix exec bits.
[assembly: SupportedOSPlatform("linux")]
