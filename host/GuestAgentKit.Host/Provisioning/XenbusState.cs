namespace GuestAgentKit.Host.Provisioning;

/// <summary>Xenbus device states (<c>enum xenbus_state</c>, xen/include/public/io/xenbus.h).</summary>
public enum XenbusState
{
    /// <summary><c>XenbusStateUnknown</c>.</summary>
    Unknown = 0,

    /// <summary><c>XenbusStateInitialising</c>: what the toolstack writes for both ends.</summary>
    Initialising = 1,

    /// <summary><c>XenbusStateInitWait</c>: the backend is ready for the frontend's details.</summary>
    InitWait = 2,

    /// <summary><c>XenbusStateInitialised</c>: the frontend published <c>ring-ref</c> and <c>port</c>.</summary>
    Initialised = 3,

    /// <summary><c>XenbusStateConnected</c>.</summary>
    Connected = 4,

    /// <summary><c>XenbusStateClosing</c>: the device is being shut down.</summary>
    Closing = 5,

    /// <summary><c>XenbusStateClosed</c>.</summary>
    Closed = 6,

    /// <summary><c>XenbusStateReconfiguring</c>.</summary>
    Reconfiguring = 7,

    /// <summary><c>XenbusStateReconfigured</c>.</summary>
    Reconfigured = 8,
}
