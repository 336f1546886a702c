namespace GuestAgentKit.Interop.Tests.RealXen;

/// <summary>Which of Debian's two xenstore daemons to run.</summary>
public enum XenStoredKind
{
    /// <summary>The C <c>xenstored</c>.</summary>
    C,

    /// <summary>The OCaml <c>oxenstored</c>.</summary>
    OCaml,
}
