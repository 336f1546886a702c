using System.Globalization;
using System.Text;
using GuestAgentKit.XenStore.Wire;

namespace GuestAgentKit.Tests.Fuzz;

/// <summary>
/// Requests a hostile domain sends to xenstored: every message type (and unknown ones), transaction ids
/// that are open, closed or invented, paths that are relative, foreign, special, too long or malformed,
/// values around the size quota, malformed permission lists and payloads without their NUL. Mostly
/// new node names, so a bounded run reaches the node quota.
/// </summary>
internal sealed class HostileXenStoreRequests(Random random, ushort domain)
{
    private static readonly string[] PermissionEntries = ["n11", "r0", "b12", "w11", "x3", "n", "", "n99999", "r-1", "w", "n11n", "b0"];
    private readonly List<uint> _transactions = [];
    private uint _nextRequest = 1;
    private int _nextNode;

    /// <summary>Transaction ids the server handed out and did not see ended (as far as this side knows); lock it to use it.</summary>
    public List<uint> Transactions => _transactions;

    public XsMessage Next()
    {
        var roll = random.Next(100);
        var (type, payload) = roll switch
        {
            < 25 => (XsMessageType.Write, Concat(Path(), Value())),
            < 33 => (XsMessageType.Mkdir, Strings(Path())),
            < 40 => (XsMessageType.Rm, Strings(RemovedPath())),
            < 47 => (XsMessageType.Read, Strings(Path())),
            < 51 => (XsMessageType.Directory, Strings(Path())),
            < 54 => (XsMessageType.DirectoryPart, Strings(Path(), random.Next(-2, 50).ToString(CultureInfo.InvariantCulture))),
            < 58 => (XsMessageType.GetPerms, Strings(Path())),
            < 65 => (XsMessageType.SetPerms, Strings([Path(), .. Permissions()])),
            < 73 => (XsMessageType.Watch, Strings(Path(), "tok" + random.Next(200))),
            < 77 => (XsMessageType.Unwatch, Strings(Path(), "tok" + random.Next(200))),
            < 84 => (XsMessageType.TransactionStart, Strings(string.Empty)),
            < 90 => (XsMessageType.TransactionEnd, Strings(random.Next(5) switch { 0 => "F", 1 => "X", 2 => "", _ => "T" })),
            < 92 => (XsMessageType.GetDomainPath, Strings(random.Next(-1, 70000).ToString(CultureInfo.InvariantCulture))),
            < 94 => (XsMessageType.Introduce, Strings("12", "1", "7")),
            < 95 => (XsMessageType.Release, Strings(domain.ToString(CultureInfo.InvariantCulture))),
            < 96 => (XsMessageType.ResetWatches, Strings(string.Empty)),
            < 97 => (XsMessageType.IsDomainIntroduced, Strings(Path())),
            _ => ((XsMessageType)random.Next(0, 64), RandomBytes(random.Next(0, 200))),
        };

        if (random.Next(20) == 0 && payload.Length > 0)
        {
            payload = payload[..^1]; // the last NUL missing
        }

        // Oversized payloads are a separate case (they kill the connection); keep this one deliverable.
        return new XsMessage(type, _nextRequest++, TransactionId(), payload.Length > Limits.XenStorePayloadMax ? payload[..Limits.XenStorePayloadMax] : payload);
    }

    private uint TransactionId()
    {
        lock (_transactions)
        {
            return random.Next(10) switch
            {
                < 6 => 0,
                < 9 when _transactions.Count > 0 => _transactions[random.Next(_transactions.Count)],
                _ => (uint)random.Next(),
            };
        }
    }

    private string Path() => random.Next(40) switch
    {
        < 20 => "n" + _nextNode++,
        < 26 => $"d{random.Next(30)}/e{random.Next(30)}/f{_nextNode++}",
        26 => "/local/domain/" + domain + "/abs" + random.Next(50),
        27 => "/local/domain/12/foreign" + random.Next(5),
        28 => "/local/domain/0/x",
        29 => "@releaseDomain",
        30 => "@introduceDomain",
        31 => "/",
        32 => string.Empty,
        33 => "a//b",
        34 => "trailing/",
        35 => "bad char " + (char)random.Next(0x21, 0x7F),
        36 => string.Concat(Enumerable.Repeat("seg/", random.Next(400, 700))) + "x",
        37 => "\u00e9t\u00e9",
        38 => "/local/domain/" + domain,
        _ => "../../" + random.Next(),
    };

    /// <summary>Mostly nodes made earlier; the domain's own home (everything it owns) only rarely, so the tree can grow to the quota.</summary>
    private string RemovedPath() => random.Next(50) switch
    {
        0 => "/local/domain/" + domain,
        < 25 => "n" + random.Next(Math.Max(1, _nextNode)),
        _ => Path() is var path && path == "/local/domain/" + domain ? "n0" : path,
    };

    private byte[] Value() => random.Next(10) switch
    {
        0 => RandomBytes(2048 + random.Next(0, 2)),
        1 => RandomBytes(random.Next(2049, 3000)),
        _ => RandomBytes(random.Next(0, 64)),
    };

    private string[] Permissions() =>
        [.. Enumerable.Range(0, random.Next(0, 8)).Select(_ => PermissionEntries[random.Next(PermissionEntries.Length)])];

    private byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Strings(params string[] parts) =>
        [.. parts.SelectMany(p => Encoding.UTF8.GetBytes(p).Append((byte)0))];

    /// <summary>A WRITE payload: the path with its NUL, then the raw value (no NUL), as xs_wire.h says.</summary>
    private static byte[] Concat(string path, byte[] value) => [.. Encoding.UTF8.GetBytes(path), 0, .. value];
}
