namespace GuestAgentKit;

/// <summary>
/// Every bound GuestAgentKit enforces on sizes, counts and times, in one place
/// (split by concern into <c>Limits.*.cs</c>). docs/limits.md lists them for operators.
/// </summary>
public static partial class Limits
{
}
