namespace GuestAgentKit.Channels;

/// <summary>One entry of the channel name registry (docs/channels.md).</summary>
/// <param name="Name">The channel name.</param>
/// <param name="Contact">Who defines the protocol spoken on it.</param>
/// <param name="Description">What the channel carries and where its protocol is specified.</param>
public sealed record WellKnownChannel(ChannelName Name, string Contact, string Description);
