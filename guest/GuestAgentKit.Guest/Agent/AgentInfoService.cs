using System.Runtime.InteropServices;
using GuestAgentKit.Protocol;

namespace GuestAgentKit.Guest.Agent;

/// <summary>Answers <c>agent.info</c> from the running endpoint and the guest's system.</summary>
internal sealed class AgentInfoService(Func<AgentEndpoint> endpoint, IReadOnlyList<int> protocolVersions, TimeProvider time) : IAgentInfo
{
    private const string OsRelease = "/etc/os-release";
    private const string KernelReleaseFile = "/proc/sys/kernel/osrelease";
    private readonly long _started = time.GetTimestamp();

    public Task<AgentInfo> InfoAsync()
    {
        var agent = endpoint();
        return Task.FromResult(new AgentInfo(
            agent.Identity.Name,
            agent.Identity.Version,
            protocolVersions,
            agent.Channel.Value,
            Environment.MachineName,
            PrettyOsName() ?? RuntimeInformation.OSDescription,
            KernelRelease() ?? RuntimeInformation.OSDescription,
            RuntimeInformation.OSArchitecture.ToString(),
            Environment.TickCount64 / 1000,
            (long)time.GetElapsedTime(_started).TotalSeconds,
            agent.Methods));
    }

    private static string? PrettyOsName() =>
        ReadOrNull(() => File.ReadLines(OsRelease).FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))?["PRETTY_NAME=".Length..].Trim('"'));

    private static string? KernelRelease() => ReadOrNull(() => File.ReadAllText(KernelReleaseFile).Trim());

    /// <summary>These files are informative: unreadable means "unknown", never a failed call.</summary>
    private static string? ReadOrNull(Func<string?> read)
    {
        try
        {
            return read();
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
