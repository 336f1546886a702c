namespace GuestAgentKit.Samples.FirstBoot.Plugin;

/// <summary>JSON-RPC error codes of <c>config.apply</c> (documented in the sample's README).</summary>
public static class FirstBootErrorCodes
{
    /// <summary>
    /// JSON-RPC "invalid params": the config is not acceptable. The message is the first error
    /// (<c>field: problem</c>); <c>data</c> is the array of every <c>{"field","message"}</c>. Nothing was written.
    /// </summary>
    public const int InvalidParams = -32602;

    /// <summary>
    /// Applying failed on the guest's file system; <c>data</c> is <c>{"path","rollbackComplete"}</c>. Every
    /// change already made was undone unless <c>rollbackComplete</c> is false.
    /// </summary>
    public const int ApplyFailed = -32010;
}
