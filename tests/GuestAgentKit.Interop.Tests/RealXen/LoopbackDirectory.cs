namespace GuestAgentKit.Interop.Tests.RealXen;

/// <summary>
/// A fresh loopback root R (docs/loopback.md) for one test. Kept short under /tmp because
/// R/xenstored/socket must fit in sockaddr_un.sun_path (108 bytes).
/// </summary>
internal static class LoopbackDirectory
{
    /// <summary>Creates an empty root with its <c>xenstored/</c> directory.</summary>
    public static string Create()
    {
        var root = System.IO.Directory.CreateTempSubdirectory("gak-xen-").FullName;
        System.IO.Directory.CreateDirectory(Path.Combine(root, "xenstored"));
        return root;
    }

    /// <summary>Removes a root, tolerating files the daemons are still closing.</summary>
    public static void Delete(string root)
    {
        try
        {
            System.IO.Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
            // A daemon killed a moment ago may still be unlinking its own files; /tmp is cleaned anyway.
        }
    }
}
