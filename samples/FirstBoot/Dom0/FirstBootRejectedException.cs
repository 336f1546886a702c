using GuestAgentKit.Samples.FirstBoot.Guest;

namespace GuestAgentKit.Samples.FirstBoot.Dom0;

/// <summary>The guest refused the configuration (<c>config.apply</c> answered "invalid params"); nothing was applied.</summary>
public sealed class FirstBootRejectedException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The agent's message (the first error).</param>
    /// <param name="errors">Every invalid field the agent listed (may be empty when it sent no list).</param>
    /// <param name="inner">The JSON-RPC error.</param>
    public FirstBootRejectedException(string message, IReadOnlyList<FirstBootFieldError> errors, Exception? inner = null)
        : base(message, inner)
    {
        Errors = errors;
    }

    /// <summary>The invalid fields, each with its JSON path.</summary>
    public IReadOnlyList<FirstBootFieldError> Errors { get; }
}
