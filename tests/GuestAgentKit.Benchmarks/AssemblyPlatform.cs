using System.Runtime.Versioning;

// The harness runs Xen's Linux userspace and Linux-only samples (B4-boot drives samples/FirstBoot).
[assembly: SupportedOSPlatform("linux")]
