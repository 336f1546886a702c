namespace GuestAgentKit.Cli;

/// <summary>An expected failure of a command, reported to the user as one line without a stack trace.</summary>
public sealed class CliException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CliException()
    {
    }

    /// <summary>Creates the exception with the message shown to the user.</summary>
    /// <param name="message">What went wrong and, where possible, what to do about it.</param>
    public CliException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the message shown to the user and its cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public CliException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with an explicit exit code.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="exitCode">The exit code, e.g. <see cref="ExitCodes.Usage"/> for a bad value found late.</param>
    public CliException(string message, int exitCode)
        : base(message)
    {
        ExitCode = exitCode;
    }

    /// <summary>The process exit code for this failure.</summary>
    public int ExitCode { get; } = ExitCodes.Failure;
}
