using System.Runtime.Versioning;

// The guest side writes Debian files with Unix modes and owners; it only exists on Linux.
[assembly: SupportedOSPlatform("linux")]
