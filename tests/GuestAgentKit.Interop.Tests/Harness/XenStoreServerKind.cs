namespace GuestAgentKit.Interop.Tests.Harness;

/// <summary>Which xenstore server a test runs against.</summary>
public enum XenStoreServerKind
{
    /// <summary>Our <c>EmbeddedXenStored</c> (the loopback's server).</summary>
    Embedded,

    /// <summary>Debian's C <c>xenstored</c>.</summary>
    C,

    /// <summary>Debian's OCaml <c>oxenstored</c>.</summary>
    OCaml,
}
