namespace GuestAgentKit.Cli;

/// <summary>Process exit codes shared by every GuestAgentKit command-line tool.</summary>
public static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Success = 0;

    /// <summary>The command ran but the operation failed (not found, refused, timed out, ...).</summary>
    public const int Failure = 1;

    /// <summary>The command line itself was wrong.</summary>
    public const int Usage = 2;

    /// <summary>The sentence every tool's --help ends with.</summary>
    public const string Help = "Exit codes: 0 success, 1 the operation failed, 2 bad arguments.";
}
