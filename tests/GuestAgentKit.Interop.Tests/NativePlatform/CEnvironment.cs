using System.Runtime.InteropServices;

namespace GuestAgentKit.Interop.Tests.NativePlatform;

/// <summary>
/// The C environment of this process. The stand-ins read GAK_LOOPBACK_DIR/GAK_LOOPBACK_DOMID with libc
/// <c>getenv</c>, which <see cref="Environment.SetEnvironmentVariable(string, string)"/> does not change on Unix
/// (docs/loopback.md). Process-wide: only <see cref="NativeXenPlatformOnStandInsTests"/> uses it, and its tests
/// run one at a time.
/// </summary>
internal static partial class CEnvironment
{
    public static void Set(string name, string value)
    {
        if (SetEnv(name, value, 1) != 0)
        {
            throw new InvalidOperationException($"setenv {name} failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int SetEnv(string name, string value, int overwrite);
}
