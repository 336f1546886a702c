namespace GuestAgentKit.Xen.Rings;

/// <summary>The two ends of a console page (<c>struct xencons_interface</c>).</summary>
public static class ConsoleRing
{
    /// <summary>The dom0 end (QEMU, xenconsoled, our backend): reads <c>out</c>, writes <c>in</c>.</summary>
    /// <param name="page">The mapped console page.</param>
    /// <returns>The backend's view.</returns>
    public static DuplexRing Backend(SharedPage page) =>
        new(new RingConsumer(page, XenConsInterface.Out), new RingProducer(page, XenConsInterface.In));

    /// <summary>The guest end (hvc_xen): writes <c>out</c>, reads <c>in</c>.</summary>
    /// <param name="page">The granted console page.</param>
    /// <returns>The frontend's view.</returns>
    public static DuplexRing Frontend(SharedPage page) =>
        new(new RingConsumer(page, XenConsInterface.In), new RingProducer(page, XenConsInterface.Out));
}
