using System.Globalization;
using GuestAgentKit.Channels;
using GuestAgentKit.XenStore;

namespace GuestAgentKit.Guest.Discovery;

/// <summary>
/// Finds the guest's Xen channels: lists <c>device/console/*</c> in the guest's own xenstore view (relative
/// paths: the connection's domain home), reads each entry's <c>name</c>, <c>state</c> and <c>backend</c>, and
/// guesses its tty by <see cref="HvcNumbering"/> in <see cref="DeviceDirectory"/>.
/// </summary>
/// <param name="xenstore">A connection to the guest's xenstore (<c>/dev/xen/xenbus</c>, or the loopback's stand-in).
/// Not owned.</param>
/// <param name="deviceDirectory">Where the ttys are: <c>/dev</c>, or the loopback guest's directory.</param>
public sealed class ChannelDiscovery(XenStoreClient xenstore, string deviceDirectory = ChannelDiscovery.DefaultDeviceDirectory)
{
    /// <summary>The default tty directory.</summary>
    public const string DefaultDeviceDirectory = "/dev";

    /// <summary>The consoles' directory, relative to the domain's home.</summary>
    public const string ConsoleDirectory = "device/console";

    private readonly XenStoreClient _xenstore = xenstore ?? throw new ArgumentNullException(nameof(xenstore));

    /// <summary>Where the guessed ttys live.</summary>
    public string DeviceDirectory { get; } = string.IsNullOrEmpty(deviceDirectory) ? throw new ArgumentException("the device directory is empty", nameof(deviceDirectory)) : deviceDirectory;

    /// <summary>Lists every console entry, in devid order.</summary>
    /// <param name="cancellationToken">Cancels the xenstore reads.</param>
    /// <returns>The entries (named or not); empty when the domain has no <c>device/console</c>.</returns>
    public async Task<IReadOnlyList<ChannelConsole>> ListAsync(CancellationToken cancellationToken)
    {
        var nodes = (await _xenstore.DirectoryAsync(ConsoleDirectory, cancellationToken).ConfigureAwait(false))
            .Take(Limits.DiscoveryMaxConsoles)
            .ToArray();
        var indexes = HvcNumbering.Assign(nodes);
        var consoles = new List<ChannelConsole>(nodes.Length);
        foreach (var node in nodes)
        {
            var dir = ConsoleDirectory + "/" + node;
            var name = await ReadOrNullAsync(dir + "/name", cancellationToken).ConfigureAwait(false);
            var state = await ReadOrNullAsync(dir + "/state", cancellationToken).ConfigureAwait(false);
            var backend = await ReadOrNullAsync(dir + "/backend", cancellationToken).ConfigureAwait(false);
            var device = indexes.TryGetValue(node, out var index)
                ? Path.Combine(DeviceDirectory, "hvc" + index.ToString(CultureInfo.InvariantCulture))
                : null;
            consoles.Add(new ChannelConsole(
                HvcNumbering.Devid(node),
                node,
                name,
                int.TryParse(state, NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : null,
                backend,
                device));
        }

        return [.. consoles.OrderBy(c => c.Devid < 0 ? int.MaxValue : c.Devid).ThenBy(c => c.NodeName, StringComparer.Ordinal)];
    }

    /// <summary>Finds the console carrying channel <paramref name="name"/> that has a tty.</summary>
    /// <param name="name">The channel name (ordinal comparison).</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The console, or null when no served console has that name.</returns>
    public async Task<ChannelConsole?> LocateAsync(ChannelName name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        return (await ListAsync(cancellationToken).ConfigureAwait(false))
            .FirstOrDefault(c => c.DevicePath is not null && c.Name == name.Value);
    }

    /// <summary>Finds the console discovery maps to a tty kernel name, for the udev helper.</summary>
    /// <param name="kernelName">E.g. <c>hvc1</c>.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The console, or null when that tty is not a listed console (hvc0 never is).</returns>
    public async Task<ChannelConsole?> FindByKernelNameAsync(string kernelName, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(kernelName);
        return (await ListAsync(cancellationToken).ConfigureAwait(false))
            .FirstOrDefault(c => c.KernelName == kernelName);
    }

    /// <summary>Waits until channel <paramref name="name"/> is present with a tty: checks now, then again on
    /// every xenstore change under <c>device/console</c> (a watch; no polling).</summary>
    /// <param name="name">The channel name.</param>
    /// <param name="cancellationToken">Ends the wait.</param>
    /// <returns>The console.</returns>
    public async Task<ChannelConsole> WaitForAsync(ChannelName name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        var watch = await _xenstore.WatchAsync(ConsoleDirectory, null, cancellationToken).ConfigureAwait(false);
        await using (((IAsyncDisposable)watch).ConfigureAwait(false))
        {
            // The watch fires once at once, so the first check runs without waiting for a change.
            await foreach (var unused in watch.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                if (await LocateAsync(name, cancellationToken).ConfigureAwait(false) is { } found)
                {
                    return found;
                }
            }
        }

        throw new XenStoreConnectionClosedException($"the xenstore connection closed while waiting for channel '{name}'");
    }

    private async Task<string?> ReadOrNullAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            return await _xenstore.ReadAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (XenStoreException)
        {
            return null; // EACCES and the like: report the field as unknown rather than fail the whole list.
        }
    }
}
