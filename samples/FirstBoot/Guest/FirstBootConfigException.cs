namespace GuestAgentKit.Samples.FirstBoot.Guest;

/// <summary>The config was rejected before anything was written; <see cref="Errors"/> names every bad field.</summary>
public sealed class FirstBootConfigException : Exception
{
    /// <summary>Creates the exception from a non-empty error list.</summary>
    public FirstBootConfigException(IReadOnlyList<FirstBootFieldError> errors)
        : base(errors.Count == 0 ? "invalid config" : $"invalid config: {errors[0]}" + (errors.Count > 1 ? $" (and {errors.Count - 1} more)" : ""))
    {
        Errors = errors;
    }

    /// <summary>The invalid fields.</summary>
    public IReadOnlyList<FirstBootFieldError> Errors { get; }
}
