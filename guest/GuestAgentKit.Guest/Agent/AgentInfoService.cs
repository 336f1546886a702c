using System.Runtime.InteropServices;
using GuestAgentKit.Protocol;

namespace GuestAgentKit.Guest.Agent;

/// <summary>Answers <c>agent.info</c> from the running endpoint and the guest's system.</summary>
internal sealed class AgentInfoService(Func<AgentEndpoint> endpoint, IReadOnlyList<int> protocolVersions, TimeProvider time) : IAgentInfo
{
    private const string OsRelease = "/etc/os-release";
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
            RuntimeInformation.OSDescription,
            RuntimeInformation.OSArchitecture.ToString(),
            Environment.TickCount64 / 1000,
            (long)time.GetElapsedTime(_started).TotalSeconds,
            agent.Methods));
    }

    private static string? PrettyOsName()
    {
        try
        {
            var line = File.ReadLines(OsRelease).FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal));
            return line?["PRETTY_NAME=".Length..].Trim('"');
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
