namespace GuestAgentKit.XenStore.Wire;

/// <summary>Errors xenstored sends by name in an <see cref="XsMessageType.Error"/> reply
/// (<c>xsd_errors[]</c>, xs_wire.h). Names the client does not know map to <see cref="Unknown"/>.</summary>
public enum XsErrorCode
{
    /// <summary>A name not in <c>xsd_errors[]</c>.</summary>
    Unknown = 0,

    /// <summary>Invalid argument (<c>EINVAL</c>).</summary>
    EINVAL,

    /// <summary>Permission denied (<c>EACCES</c>).</summary>
    EACCES,

    /// <summary>Already exists (<c>EEXIST</c>).</summary>
    EEXIST,

    /// <summary>Is a directory (<c>EISDIR</c>).</summary>
    EISDIR,

    /// <summary>No such node (<c>ENOENT</c>).</summary>
    ENOENT,

    /// <summary>Out of memory (<c>ENOMEM</c>).</summary>
    ENOMEM,

    /// <summary>Quota exceeded (<c>ENOSPC</c>).</summary>
    ENOSPC,

    /// <summary>I/O error (<c>EIO</c>).</summary>
    EIO,

    /// <summary>Directory not empty (<c>ENOTEMPTY</c>).</summary>
    ENOTEMPTY,

    /// <summary>Unknown or unsupported request type (<c>ENOSYS</c>).</summary>
    ENOSYS,

    /// <summary>Read-only (<c>EROFS</c>).</summary>
    EROFS,

    /// <summary>Busy (<c>EBUSY</c>).</summary>
    EBUSY,

    /// <summary>Transaction conflict: retry (<c>EAGAIN</c>).</summary>
    EAGAIN,

    /// <summary>Already connected (<c>EISCONN</c>).</summary>
    EISCONN,

    /// <summary>Reply too big for one message (<c>E2BIG</c>).</summary>
    E2BIG,

    /// <summary>Operation not permitted (<c>EPERM</c>).</summary>
    EPERM,
}
