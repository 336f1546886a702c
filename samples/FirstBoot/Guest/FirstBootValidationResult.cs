namespace GuestAgentKit.Samples.FirstBoot.Guest;

/// <summary>
/// Every error found in a config (collected, not first-only, so an operator fixes them in one round;
/// capped at <see cref="FirstBootLimits.MaxErrors"/>). The RPC layer turns a non-empty list into one
/// JSON-RPC "invalid params" error whose message is the first error and whose data is the list.
/// </summary>
public sealed class FirstBootValidationResult
{
    internal FirstBootValidationResult(IReadOnlyList<FirstBootFieldError> errors) => Errors = errors;

    /// <summary>The errors, in field order; empty when the config is valid.</summary>
    public IReadOnlyList<FirstBootFieldError> Errors { get; }

    /// <summary>True when there are no errors.</summary>
    public bool IsValid => Errors.Count == 0;
}
