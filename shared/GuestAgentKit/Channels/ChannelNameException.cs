namespace GuestAgentKit.Channels;

/// <summary>A channel name breaks one of the rules of <see cref="ChannelName"/>; the message names the rule.</summary>
public sealed class ChannelNameException : FormatException
{
    /// <summary>Creates the exception.</summary>
    public ChannelNameException()
    {
    }

    /// <summary>Creates the exception with a message naming the broken rule and the offending character.</summary>
    /// <param name="message">What is wrong with the name.</param>
    public ChannelNameException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    /// <param name="message">What is wrong with the name.</param>
    /// <param name="innerException">The cause.</param>
    public ChannelNameException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
