namespace GuestAgentKit.Loopback.Guest;

/// <summary>Xenbus device states (<c>enum xenbus_state</c>, xen/include/public/io/xenbus.h).</summary>
internal enum XenbusState
{
    Unknown = 0, // XenbusStateUnknown
    Initialising = 1, // XenbusStateInitialising
    InitWait = 2, // XenbusStateInitWait
    Initialised = 3, // XenbusStateInitialised
    Connected = 4, // XenbusStateConnected
    Closing = 5, // XenbusStateClosing
    Closed = 6, // XenbusStateClosed
    Reconfiguring = 7, // XenbusStateReconfiguring
    Reconfigured = 8, // XenbusStateReconfigured
}
