namespace GuestAgentKit.Posix;

/// <summary>
/// A write found the other end of a tty or pty hung up (<c>EIO</c> or <c>EPIPE</c>): the device must be
/// reopened. Reads report the same condition as end of stream (0 bytes) instead, see <see cref="FdStream"/>.
/// </summary>
public sealed class HangUpException : IOException
{
    /// <summary>Creates the exception.</summary>
    public HangUpException()
        : base("the other end hung up")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What hung up.</param>
    public HangUpException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    /// <param name="message">What hung up.</param>
    /// <param name="innerException">The cause.</param>
    public HangUpException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
