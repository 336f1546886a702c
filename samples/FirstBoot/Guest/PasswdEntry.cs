namespace GuestAgentKit.Samples.FirstBoot.Guest;

/// <summary>One /etc/passwd line, the fields first-boot needs.</summary>
/// <param name="Name">Login name.</param>
/// <param name="Uid">Numeric user id.</param>
/// <param name="Gid">Numeric primary group id.</param>
/// <param name="Home">Home directory, absolute, as seen inside the guest root.</param>
public sealed record PasswdEntry(string Name, int Uid, int Gid, string Home);
