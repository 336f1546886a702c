namespace GuestAgentKit.Tests.Channels;

/// <summary>Finds files of the repository (docs) from the test's output directory.</summary>
internal static class RepoFiles
{
    public static string Path(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "GuestAgentKit.sln")))
            {
                return System.IO.Path.Combine(dir.FullName, relative);
            }
        }

        throw new FileNotFoundException("GuestAgentKit.sln not found above " + AppContext.BaseDirectory);
    }
}
