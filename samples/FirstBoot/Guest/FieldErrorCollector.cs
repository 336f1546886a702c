namespace GuestAgentKit.Samples.FirstBoot.Guest;

/// <summary>Collects field errors up to <see cref="FirstBootLimits.MaxErrors"/>, then one summary error.</summary>
internal sealed class FieldErrorCollector
{
    private readonly List<FirstBootFieldError> _errors = [];
    private int _dropped;

    public int Count => _errors.Count + _dropped;

    public void Add(string field, string message)
    {
        if (_errors.Count < FirstBootLimits.MaxErrors)
        {
            _errors.Add(new FirstBootFieldError(field, message));
        }
        else
        {
            _dropped++;
        }
    }

    public FirstBootValidationResult ToResult()
    {
        var errors = new List<FirstBootFieldError>(_errors);
        if (_dropped > 0)
        {
            errors.Add(new FirstBootFieldError("", $"{_dropped} more errors not listed (limit {FirstBootLimits.MaxErrors})"));
        }

        return new FirstBootValidationResult(errors);
    }
}
