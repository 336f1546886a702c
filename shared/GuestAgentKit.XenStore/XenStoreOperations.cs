using System.Globalization;
using System.Text;
using GuestAgentKit.XenStore.Wire;

namespace GuestAgentKit.XenStore;

/// <summary>The node operations, shared by a client (outside any transaction) and a
/// <see cref="XsTransaction"/> (bound to its tx_id).</summary>
public abstract class XenStoreOperations
{
    private protected XenStoreOperations()
    {
    }

    /// <summary>Reads a node as UTF-8 text.</summary>
    /// <param name="path">Absolute, or relative to the connection's domain home.</param>
    /// <param name="cancellationToken">Cancels the wait (the connection stays usable).</param>
    /// <returns>The value, or null when the node does not exist (ENOENT).</returns>
    /// <exception cref="XenStoreException">Any other error, e.g. EACCES.</exception>
    public async Task<string?> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        var bytes = await ReadBytesAsync(path, cancellationToken).ConfigureAwait(false);
        return bytes is null ? null : Encoding.UTF8.GetString(bytes);
    }

    /// <summary>Reads a node's raw value.</summary>
    /// <param name="path">Absolute, or relative to the connection's domain home.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The value, or null when the node does not exist (ENOENT).</returns>
    public async Task<byte[]?> ReadBytesAsync(string path, CancellationToken cancellationToken = default)
    {
        XsPath.Validate(path);
        var reply = await SendAsync(XsMessageType.Read, XsPayload.Strings(path), path, XsErrorCode.ENOENT, cancellationToken).ConfigureAwait(false);
        return reply;
    }

    /// <summary>Writes a node as UTF-8 text, creating missing parents.</summary>
    /// <param name="path">The node.</param>
    /// <param name="value">The value.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task completing when xenstored acknowledged.</returns>
    public Task WriteAsync(string path, string value, CancellationToken cancellationToken = default) =>
        WriteAsync(path, Encoding.UTF8.GetBytes(value), cancellationToken);

    /// <summary>Writes a node's raw value, creating missing parents.</summary>
    /// <param name="path">The node.</param>
    /// <param name="value">The value.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task completing when xenstored acknowledged.</returns>
    /// <exception cref="ArgumentException">Invalid path, or path and value exceed the payload limit.</exception>
    public Task WriteAsync(string path, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default)
    {
        XsPath.Validate(path);
        var payload = XsPayload.PathAndValue(path, value.Span);
        XsPayload.EnsureFits(payload.Length, XsMessageType.Write, path);
        return SendAsync(XsMessageType.Write, payload, path, null, cancellationToken);
    }

    /// <summary>Creates a node with an empty value (no error if it exists).</summary>
    /// <param name="path">The node.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task completing when xenstored acknowledged.</returns>
    public Task MkdirAsync(string path, CancellationToken cancellationToken = default) =>
        SendPathAsync(XsMessageType.Mkdir, path, cancellationToken);

    /// <summary>Removes a node and everything below it (no error if it is already gone but its parent exists).</summary>
    /// <param name="path">The node.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task completing when xenstored acknowledged.</returns>
    public Task RemoveAsync(string path, CancellationToken cancellationToken = default) =>
        SendPathAsync(XsMessageType.Rm, path, cancellationToken);

    /// <summary>Lists a node's children. A node that does not exist (ENOENT) lists as empty, like one without
    /// children; use <see cref="ReadAsync"/> to tell them apart. Directories too large for one reply (E2BIG)
    /// are listed in parts with DIRECTORY_PART.</summary>
    /// <param name="path">The node.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>Child names, in xenstored's order.</returns>
    public async Task<IReadOnlyList<string>> DirectoryAsync(string path, CancellationToken cancellationToken = default)
    {
        XsPath.Validate(path);
        try
        {
            var reply = await SendAsync(XsMessageType.Directory, XsPayload.Strings(path), path, XsErrorCode.ENOENT, cancellationToken).ConfigureAwait(false);
            return reply is null ? [] : XsPayload.Split(reply);
        }
        catch (XenStoreException ex) when (ex.Error == XsErrorCode.E2BIG)
        {
            return await DirectoryInPartsAsync(path, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Reads a node's permissions; the first entry is the owner and the default.</summary>
    /// <param name="path">The node (or a special <c>@</c>-path).</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The entries.</returns>
    /// <exception cref="XenStoreException">ENOENT, EACCES, ...; or EINVAL when the reply is not a permission list.</exception>
    public async Task<IReadOnlyList<XsPermission>> GetPermissionsAsync(string path, CancellationToken cancellationToken = default)
    {
        XsPath.Validate(path, allowSpecial: true);
        var reply = await SendAsync(XsMessageType.GetPerms, XsPayload.Strings(path), path, null, cancellationToken).ConfigureAwait(false);
        var result = new List<XsPermission>();
        foreach (var text in XsPayload.Split(reply))
        {
            result.Add(XsPermission.TryParse(text, out var permission)
                ? permission
                : throw new XenStoreException(XsErrorCode.EINVAL, XsMessageType.GetPerms, path));
        }

        return result;
    }

    /// <summary>Replaces a node's permissions. The first entry is the owner and the default for unlisted domains.</summary>
    /// <param name="path">The node (or a special <c>@</c>-path).</param>
    /// <param name="permissions">At least one entry.</param>
    /// <returns>A task completing when xenstored acknowledged.</returns>
    public Task SetPermissionsAsync(string path, params XsPermission[] permissions) =>
        SetPermissionsAsync(path, permissions, CancellationToken.None);

    /// <summary>Replaces a node's permissions.</summary>
    /// <param name="path">The node (or a special <c>@</c>-path).</param>
    /// <param name="permissions">At least one entry.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task completing when xenstored acknowledged.</returns>
    public Task SetPermissionsAsync(string path, IReadOnlyList<XsPermission> permissions, CancellationToken cancellationToken)
    {
        XsPath.Validate(path, allowSpecial: true);
        ArgumentNullException.ThrowIfNull(permissions);
        if (permissions.Count == 0)
        {
            throw new ArgumentException("A permission list needs at least the owner entry.", nameof(permissions));
        }

        var parts = new string[permissions.Count + 1];
        parts[0] = path;
        for (var i = 0; i < permissions.Count; i++)
        {
            parts[i + 1] = permissions[i].ToString();
        }

        var payload = XsPayload.Strings(parts);
        XsPayload.EnsureFits(payload.Length, XsMessageType.SetPerms, path);
        return SendAsync(XsMessageType.SetPerms, payload, path, null, cancellationToken);
    }

    /// <summary>Sends one request on the right connection and transaction.</summary>
    /// <param name="type">The request type.</param>
    /// <param name="payload">The payload, already within limits.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The reply (may be an ERROR message).</returns>
    private protected abstract Task<XsMessage> RequestAsync(XsMessageType type, byte[] payload, CancellationToken cancellationToken);

    /// <summary>Sends a request and turns an ERROR reply into <see cref="XenStoreException"/>, except
    /// <paramref name="expected"/>, which gives null.</summary>
    private protected async Task<byte[]?> SendAsync(XsMessageType type, byte[] payload, string? subject, XsErrorCode? expected, CancellationToken cancellationToken)
    {
        var reply = await RequestAsync(type, payload, cancellationToken).ConfigureAwait(false);
        if (reply.Type != XsMessageType.Error)
        {
            return reply.Payload;
        }

        var error = XsErrors.Parse(reply.Payload);
        return error == expected ? null : throw new XenStoreException(error, type, subject);
    }

    private protected async Task<byte[]> SendAsync(XsMessageType type, byte[] payload, string? subject, CancellationToken cancellationToken) =>
        (await SendAsync(type, payload, subject, null, cancellationToken).ConfigureAwait(false))!;

    private Task SendPathAsync(XsMessageType type, string path, CancellationToken cancellationToken)
    {
        XsPath.Validate(path);
        return SendAsync(type, XsPayload.Strings(path), path, null, cancellationToken);
    }

    private async Task<IReadOnlyList<string>> DirectoryInPartsAsync(string path, CancellationToken cancellationToken)
    {
        // The generation in each reply detects a directory changing between parts: start over then.
        for (var attempt = 0; attempt < GuestAgentKit.Limits.XenStoreTransactMaxAttempts; attempt++)
        {
            var names = new List<string>();
            string? generation = null;
            var offset = 0;
            while (true)
            {
                var reply = await SendAsync(
                    XsMessageType.DirectoryPart,
                    XsPayload.Strings(path, offset.ToString(CultureInfo.InvariantCulture)),
                    path,
                    cancellationToken).ConfigureAwait(false);
                var nul = Array.IndexOf(reply, (byte)0);
                if (nul < 0)
                {
                    throw new XenStoreException(XsErrorCode.EINVAL, XsMessageType.DirectoryPart, path);
                }

                var replyGeneration = Encoding.ASCII.GetString(reply, 0, nul);
                if (generation is not null && generation != replyGeneration)
                {
                    break;
                }

                generation = replyGeneration;
                var rest = reply.AsSpan(nul + 1);
                // The last part ends with an extra empty string: two NULs, or a lone NUL after the generation.
                var last = rest.Length == 0 || (rest.Length >= 1 && rest[^1] == 0 && (rest.Length == 1 || rest[^2] == 0));
                var chunk = last ? rest[..^Math.Min(1, rest.Length)] : rest;
                foreach (var name in XsPayload.Split(chunk))
                {
                    names.Add(name);
                    offset += Encoding.UTF8.GetByteCount(name) + 1;
                }

                if (last || chunk.IsEmpty)
                {
                    return names;
                }
            }
        }

        throw new XenStoreException(XsErrorCode.EAGAIN, XsMessageType.DirectoryPart, path);
    }
}
