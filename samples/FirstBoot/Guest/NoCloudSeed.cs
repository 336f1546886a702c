namespace GuestAgentKit.Samples.FirstBoot.Guest;

/// <summary>
/// The cloud-init NoCloud seed directory (cloud-init docs, "NoCloud": files <c>meta-data</c>,
/// <c>user-data</c>, optional <c>network-config</c> in /var/lib/cloud/seed/nocloud/). When no meta-data
/// is given we generate the two keys NoCloud needs: <c>instance-id</c> (a change makes cloud-init treat
/// the boot as a new instance) and <c>local-hostname</c>.
/// </summary>
internal static class NoCloudSeed
{
    public const string Directory = "/var/lib/cloud/seed/nocloud";

    public static IEnumerable<(string GuestPath, string Content)> Render(CloudInitSeed seed, string hostname, string? fqdn)
    {
        yield return ($"{Directory}/meta-data", seed.MetaData ?? $"instance-id: {seed.InstanceId}\nlocal-hostname: {fqdn ?? hostname}\n");
        yield return ($"{Directory}/user-data", seed.UserData ?? "");
        if (seed.NetworkConfig is not null)
        {
            yield return ($"{Directory}/network-config", seed.NetworkConfig);
        }
    }
}
