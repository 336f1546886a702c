namespace GuestAgentKit.Channels.Xl;

/// <summary>
/// An xl channel entry or config is invalid. Messages follow libxl's wording ("channel 0 has no name").
/// </summary>
public sealed class XlChannelSpecException : FormatException
{
    /// <summary>Creates the exception.</summary>
    public XlChannelSpecException()
    {
    }

    /// <summary>Creates the exception for an error not tied to one entry (config syntax).</summary>
    /// <param name="message">What is wrong.</param>
    public XlChannelSpecException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The cause.</param>
    public XlChannelSpecException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for the entry at <paramref name="index"/>.</summary>
    /// <param name="index">0-based position of the entry in the channel list.</param>
    /// <param name="message">What is wrong, starting with "channel &lt;index&gt;".</param>
    public XlChannelSpecException(int index, string message)
        : base(message) => Index = index;

    /// <summary>0-based position of the offending entry in the channel list; null for config syntax errors.</summary>
    public int? Index { get; }
}
