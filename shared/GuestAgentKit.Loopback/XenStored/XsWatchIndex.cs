namespace GuestAgentKit.Loopback.XenStored;

/// <summary>
/// Every connection's watches, and which connections watch each path, so that firing a change looks only at the
/// connections with a watch on the node or one of its ancestors. Walking every connection's watches on every
/// changed node (what C xenstored does) cost most of a <c>channel add</c> with a thousand loopback guests
/// connected (B3 in docs/performance.md). A connection's own list keeps its watches in registration order, which
/// is the order its events go out in. Guarded by the server's lock.
/// </summary>
internal sealed class XsWatchIndex
{
    // A connection appears once per watch it has on the path (same path, several tokens).
    private readonly Dictionary<string, List<XsServerConnection>> _watchers = new(StringComparer.Ordinal);
    private readonly HashSet<XsServerConnection> _seen = [];

    public void Add(XsServerConnection connection, XsServerWatch watch)
    {
        connection.Watches.Add(watch);
        if (!_watchers.TryGetValue(watch.Path, out var list))
        {
            _watchers[watch.Path] = list = [];
        }

        list.Add(connection);
    }

    public void RemoveAt(XsServerConnection connection, int index)
    {
        var watch = connection.Watches[index];
        connection.Watches.RemoveAt(index);
        Unlist(connection, watch.Path);
    }

    public void Clear(XsServerConnection connection)
    {
        foreach (var watch in connection.Watches)
        {
            Unlist(connection, watch.Path);
        }

        connection.Watches.Clear();
    }

    /// <summary>The connections with a watch on <paramref name="path"/> or (when <paramref name="subtree"/>) on one
    /// of its ancestors, each once, into <paramref name="into"/> (cleared first).</summary>
    public void Watchers(string path, bool subtree, List<XsServerConnection> into)
    {
        into.Clear();
        _seen.Clear();
        Collect(path, into);
        if (!subtree || path[0] != '/')
        {
            return; // special paths (@releaseDomain) have no ancestors
        }

        while (path != "/")
        {
            var slash = path.LastIndexOf('/');
            path = slash <= 0 ? "/" : path[..slash];
            Collect(path, into);
        }
    }

    private void Collect(string path, List<XsServerConnection> into)
    {
        if (_watchers.TryGetValue(path, out var list))
        {
            foreach (var connection in list)
            {
                if (_seen.Add(connection))
                {
                    into.Add(connection);
                }
            }
        }
    }

    private void Unlist(XsServerConnection connection, string path)
    {
        if (_watchers.TryGetValue(path, out var list))
        {
            list.Remove(connection);
            if (list.Count == 0)
            {
                _watchers.Remove(path);
            }
        }
    }
}
