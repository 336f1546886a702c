namespace GuestAgentKit.Guest.Transport;

/// <summary>
/// How the agent reaches its channel: each <see cref="OpenAsync"/> starts a session on a fresh duplex
/// stream. A session ends when a read returns 0 bytes (hang-up: guest resume, backend gone) or a write
/// throws <see cref="IOException"/>; the caller then disposes the stream and opens again, paced by
/// <see cref="ReopeningChannel"/>.
/// </summary>
public interface IChannelTransport
{
    /// <summary>What is opened (a device path and mode), for logs.</summary>
    string Description { get; }

    /// <summary>Opens the channel, ready for binary traffic with stale input discarded.</summary>
    /// <param name="cancellationToken">Cancels the open.</param>
    /// <returns>The stream; the caller disposes it.</returns>
    /// <exception cref="IOException">The device is missing or cannot be opened now (worth retrying).</exception>
    ValueTask<Stream> OpenAsync(CancellationToken cancellationToken);
}
