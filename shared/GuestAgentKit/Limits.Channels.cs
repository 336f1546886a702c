namespace GuestAgentKit;

public static partial class Limits
{
}
