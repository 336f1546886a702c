namespace GuestAgentKit.Host.Cli.Commands;

/// <summary>The JSON shape of <c>channel list --json</c> and <c>channel info</c>.</summary>
internal sealed record ChannelJson(
    int Domain,
    int Devid,
    string? Name,
    int BackendDomain,
    string? Type,
    string? Connection,
    string? Path,
    string? Tty,
    string? FrontendState,
    string? BackendState,
    string? EventChannel,
    string? RingRef,
    string FrontendPath,
    string BackendPath);
