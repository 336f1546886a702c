namespace GuestAgentKit.Xen.Platform;

/// <summary>A foreign page mapped into this process. Dispose to unmap; the page must not be used after.</summary>
public interface IGrantMapping : IDisposable
{
    /// <summary>The mapped page.</summary>
    SharedPage Page { get; }
}
