namespace GuestAgentKit.Samples.FirstBoot.Guest;

/// <summary>
/// A cloud-init NoCloud seed written to /var/lib/cloud/seed/nocloud/. Documents are written verbatim;
/// when <see cref="MetaData"/> is absent, meta-data is generated from <see cref="InstanceId"/> and the
/// host name. user-data is always written (empty when absent) because NoCloud needs the file.
/// </summary>
public sealed record CloudInitSeed
{
    /// <summary>The instance id for generated meta-data; required when <see cref="MetaData"/> is absent.</summary>
    public string? InstanceId { get; init; }

    /// <summary>The meta-data document, verbatim.</summary>
    public string? MetaData { get; init; }

    /// <summary>The user-data document, verbatim (e.g. <c>#cloud-config</c>).</summary>
    public string? UserData { get; init; }

    /// <summary>The network-config document, verbatim; only written when given.</summary>
    public string? NetworkConfig { get; init; }
}
