using GuestAgentKit.Samples.FirstBoot.Plugin;

namespace GuestAgentKit.Samples.FirstBoot.Dom0;

/// <summary>The guest accepted the configuration but could not write it (<see cref="FirstBootErrorCodes.ApplyFailed"/>).</summary>
public sealed class FirstBootApplyFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The agent's message.</param>
    /// <param name="failure">The path and whether the rollback completed, when the agent said.</param>
    /// <param name="inner">The JSON-RPC error.</param>
    public FirstBootApplyFailedException(string message, FirstBootApplyFailure? failure, Exception? inner = null)
        : base(message, inner)
    {
        Failure = failure;
    }

    /// <summary>What the agent reported about the failure; null when it sent nothing readable.</summary>
    public FirstBootApplyFailure? Failure { get; }
}
