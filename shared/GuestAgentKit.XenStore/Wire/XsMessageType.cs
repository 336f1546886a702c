namespace GuestAgentKit.XenStore.Wire;

/// <summary>Xenstore message types (<c>enum xsd_sockmsg_type</c>, xen/include/public/io/xs_wire.h).</summary>
public enum XsMessageType : uint
{
    /// <summary>Debug/control commands (<c>XS_CONTROL</c>, alias <c>XS_DEBUG</c>).</summary>
    Control = 0, // XS_CONTROL

    /// <summary>List the children of a node (<c>XS_DIRECTORY</c>).</summary>
    Directory = 1, // XS_DIRECTORY

    /// <summary>Read a node's value (<c>XS_READ</c>).</summary>
    Read = 2, // XS_READ

    /// <summary>Read a node's permissions (<c>XS_GET_PERMS</c>).</summary>
    GetPerms = 3, // XS_GET_PERMS

    /// <summary>Register a watch (<c>XS_WATCH</c>).</summary>
    Watch = 4, // XS_WATCH

    /// <summary>Remove a watch (<c>XS_UNWATCH</c>).</summary>
    Unwatch = 5, // XS_UNWATCH

    /// <summary>Start a transaction (<c>XS_TRANSACTION_START</c>).</summary>
    TransactionStart = 6, // XS_TRANSACTION_START

    /// <summary>Commit or abort a transaction (<c>XS_TRANSACTION_END</c>).</summary>
    TransactionEnd = 7, // XS_TRANSACTION_END

    /// <summary>Introduce a domain's xenstore ring (<c>XS_INTRODUCE</c>).</summary>
    Introduce = 8, // XS_INTRODUCE

    /// <summary>Release a domain (<c>XS_RELEASE</c>).</summary>
    Release = 9, // XS_RELEASE

    /// <summary>Ask for a domain's home path (<c>XS_GET_DOMAIN_PATH</c>).</summary>
    GetDomainPath = 10, // XS_GET_DOMAIN_PATH

    /// <summary>Write a node, creating missing parents (<c>XS_WRITE</c>).</summary>
    Write = 11, // XS_WRITE

    /// <summary>Create a node (<c>XS_MKDIR</c>).</summary>
    Mkdir = 12, // XS_MKDIR

    /// <summary>Remove a node and its subtree (<c>XS_RM</c>).</summary>
    Rm = 13, // XS_RM

    /// <summary>Set a node's permissions (<c>XS_SET_PERMS</c>).</summary>
    SetPerms = 14, // XS_SET_PERMS

    /// <summary>An asynchronous watch event (<c>XS_WATCH_EVENT</c>).</summary>
    WatchEvent = 15, // XS_WATCH_EVENT

    /// <summary>An error reply, payload the errno name (<c>XS_ERROR</c>).</summary>
    Error = 16, // XS_ERROR

    /// <summary>Ask whether a domain is introduced (<c>XS_IS_DOMAIN_INTRODUCED</c>).</summary>
    IsDomainIntroduced = 17, // XS_IS_DOMAIN_INTRODUCED

    /// <summary>Clear a domain's shutdown flag (<c>XS_RESUME</c>).</summary>
    Resume = 18, // XS_RESUME

    /// <summary>Give a domain privilege over another (<c>XS_SET_TARGET</c>).</summary>
    SetTarget = 19, // XS_SET_TARGET

    /// <summary>Drop all watches and transactions of the connection (<c>XS_RESET_WATCHES</c>; 20 was <c>XS_RESTRICT</c>).</summary>
    ResetWatches = 21, // XS_RESET_WATCHES

    /// <summary>List part of a large directory (<c>XS_DIRECTORY_PART</c>).</summary>
    DirectoryPart = 22, // XS_DIRECTORY_PART

    /// <summary>Read a feature bitmap (<c>XS_GET_FEATURE</c>).</summary>
    GetFeature = 23, // XS_GET_FEATURE

    /// <summary>Set a feature bitmap (<c>XS_SET_FEATURE</c>).</summary>
    SetFeature = 24, // XS_SET_FEATURE

    /// <summary>Read a quota (<c>XS_GET_QUOTA</c>).</summary>
    GetQuota = 25, // XS_GET_QUOTA

    /// <summary>Set a quota (<c>XS_SET_QUOTA</c>).</summary>
    SetQuota = 26, // XS_SET_QUOTA

    /// <summary>Guaranteed invalid type (<c>XS_INVALID</c>).</summary>
    Invalid = 0xffff, // XS_INVALID
}
