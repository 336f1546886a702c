using System.Runtime.InteropServices;

namespace GuestAgentKit.Posix;

/// <summary>A libc call failed; carries errno and says which call on what.</summary>
public sealed class PosixException : IOException
{
    /// <summary>Creates the exception.</summary>
    public PosixException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What failed.</param>
    public PosixException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The cause.</param>
    public PosixException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    private PosixException(string operation, int errno)
        : base($"{operation} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})")
    {
        Errno = errno;
    }

    /// <summary>The errno value, or 0 when not from a libc call.</summary>
    public int Errno { get; }

    /// <summary>Builds the exception from the errno of the last P/Invoke.</summary>
    /// <param name="operation">The call and its subject, e.g. "open(/dev/hvc1)".</param>
    /// <returns>The exception, to throw.</returns>
    public static PosixException FromErrno(string operation) => new(operation, Marshal.GetLastPInvokeError());
}
