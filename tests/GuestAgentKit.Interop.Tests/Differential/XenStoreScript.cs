using System.Globalization;
using GuestAgentKit.Interop.Tests.Harness;
using GuestAgentKit.Xen;
using GuestAgentKit.XenStore;
using GuestAgentKit.XenStore.Wire;

namespace GuestAgentKit.Interop.Tests.Differential;

/// <summary>
/// ONE script of xenstore operations, run against any <see cref="XenStoreServer"/>; every step's answer is
/// written as a line of text, so the transcripts of two servers can be compared line by line. Watch events
/// are part of the transcript: after every step dom0 writes a sync node under each watched path, and the
/// events that arrived before the sync event belong to that step (a watch's events keep the server's order).
/// </summary>
internal sealed class XenStoreScript
{
    private static readonly DomainId Guest = new(5);
    private static readonly DomainId Other = new(6);

    private readonly List<string> _lines = [];
    private readonly XenStoreServer _server;
    private XenStoreClient _dom0 = null!;
    private IAsyncEnumerator<XsWatchEvent> _dom0Events = null!;
    private IAsyncEnumerator<XsWatchEvent>? _guestEvents;
    private int _step;

    private XenStoreScript(XenStoreServer server) => _server = server;

    /// <summary>Runs the script against <paramref name="server"/> and returns its transcript.</summary>
    public static async Task<IReadOnlyList<string>> RunAsync(XenStoreServer server, CancellationToken ct)
    {
        var script = new XenStoreScript(server);
        await script.RunAsync(ct);
        return script._lines;
    }

    private async Task RunAsync(CancellationToken ct)
    {
        _server.CreateDomains(Other.Value);
        await using var dom0 = _dom0 = await _server.ConnectAsync(ct).Within();
        await using var other = await _server.ConnectAsync(ct).Within();
        await dom0.MkdirAsync("/d", ct).Within();
        await using var watch = await dom0.WatchAsync("/d", "d", ct).Within();
        await using var events = _dom0Events = watch.GetAsyncEnumerator(ct);
        _lines.Add("initial event " + Format(await events.NextAsync()));

        // Plain node operations as dom0.
        await Step("write /d/t/a", () => Ok(dom0.WriteAsync("/d/t/a", "1", ct)));
        await Step("read /d/t/a", () => dom0.ReadAsync("/d/t/a", ct));
        await Step("read /d/t/none", () => dom0.ReadAsync("/d/t/none", ct));
        await Step("write /d/t/b/c/e (creates parents)", () => Ok(dom0.WriteAsync("/d/t/b/c/e", "deep", ct)));
        await Step("read /d/t/b/c (implicit parent)", () => dom0.ReadAsync("/d/t/b/c", ct));
        await Step("directory /d/t", () => List(dom0.DirectoryAsync("/d/t", ct)));
        await Step("raw directory /d/none", () => Raw(dom0, XsMessageType.Directory, "/d/none", ct));
        await Step("mkdir /d/t/m", () => Ok(dom0.MkdirAsync("/d/t/m", ct)));
        await Step("mkdir /d/t/m again", () => Ok(dom0.MkdirAsync("/d/t/m", ct)));
        await Step("read /d/t/m", () => dom0.ReadAsync("/d/t/m", ct));
        await Step("set perms /d/t n0 r6", () => Ok(dom0.SetPermissionsAsync("/d/t", [new XsPermission(XsAccess.None, DomainId.Dom0), new XsPermission(XsAccess.Read, Other)], ct)));
        await Step("write /d/t/inherits", () => Ok(dom0.WriteAsync("/d/t/inherits", "i", ct)));
        await Step("perms /d/t/inherits (from /d/t)", () => Perms(dom0, "/d/t/inherits", ct));
        await Step("write /d/stale", () => Ok(dom0.WriteAsync("/d/stale", "s", ct)));
        await Step("set perms /d/stale n0 r5 (domain 5 does not exist yet)", () => Ok(dom0.SetPermissionsAsync("/d/stale", [new XsPermission(XsAccess.None, DomainId.Dom0), new XsPermission(XsAccess.Read, Guest)], ct)));
        await Step("set perms /d/t/m n0 for a missing domain 77", () => Ok(dom0.SetPermissionsAsync("/d/t/m", [new XsPermission(XsAccess.None, DomainId.Dom0), new XsPermission(XsAccess.Read, new DomainId(77))], ct)));
        await Step("rm /d/t/b (not empty)", () => Ok(dom0.RemoveAsync("/d/t/b", ct)));
        await Step("read /d/t/b/c/e", () => dom0.ReadAsync("/d/t/b/c/e", ct));
        await Step("rm /d/t/none (parent exists)", () => Ok(dom0.RemoveAsync("/d/t/none", ct)));
        await Step("raw rm /d/none/deeper", () => Raw(dom0, XsMessageType.Rm, "/d/none/deeper", ct));
        await Step("raw read /d/bad path", () => Raw(dom0, XsMessageType.Read, "/d/bad path", ct));
        await Step("raw read /d/t/", () => Raw(dom0, XsMessageType.Read, "/d/t/", ct));
        await Step("raw read /d//t", () => Raw(dom0, XsMessageType.Read, "/d//t", ct));
        await Step("raw get perms /d/none", () => Raw(dom0, XsMessageType.GetPerms, "/d/none", ct));

        // Transactions: a conflict from a second client, an abort, a commit.
        await Step("transaction conflicting with another client's write", async () =>
        {
            await using var tx = await dom0.StartTransactionAsync(ct);
            var seen = await tx.ReadAsync("/d/t/a", ct);
            await tx.WriteAsync("/d/t/a", "tx", ct);
            var outside = await dom0.ReadAsync("/d/t/a", ct);
            await other.WriteAsync("/d/t/a", "other", ct);
            return $"saw {seen}, outside {outside}, commit {await tx.CommitAsync(ct)}";
        });
        await Step("read /d/t/a after the conflict", () => dom0.ReadAsync("/d/t/a", ct));
        await Step("aborted transaction", async () =>
        {
            await using (var tx = await dom0.StartTransactionAsync(ct))
            {
                await tx.WriteAsync("/d/t/aborted", "x", ct);
            }

            return await dom0.ReadAsync("/d/t/aborted", ct);
        });
        await Step("committed transaction", async () =>
        {
            await using var tx = await dom0.StartTransactionAsync(ct);
            await tx.WriteAsync("/d/t/tx1", "1", ct);
            await tx.WriteAsync("/d/t/tx2", "2", ct);
            await tx.RemoveAsync("/d/t/m", ct);
            var inside = await tx.DirectoryAsync("/d/t", ct);
            return $"inside [{string.Join(' ', inside.Order(StringComparer.Ordinal))}], commit {await tx.CommitAsync(ct)}";
        });
        await Step("transaction writing one node twice and setting its permissions", async () =>
        {
            await using var tx = await dom0.StartTransactionAsync(ct);
            await tx.WriteAsync("/d/t/thrice", "1", ct);
            await tx.WriteAsync("/d/t/thrice", "2", ct);
            await tx.SetPermissionsAsync("/d/t/thrice", [new XsPermission(XsAccess.None, DomainId.Dom0), new XsPermission(XsAccess.Read, Other)], ct);
            return $"commit {await tx.CommitAsync(ct)}";
        });
        await Step("TransactAsync with one conflict", async () =>
        {
            var attempts = 0;
            var value = await dom0.TransactAsync(
                async (tx, ct) =>
                {
                    attempts++;
                    var read = await tx.ReadAsync("/d/t/tx1", ct);
                    if (attempts == 1)
                    {
                        await other.WriteAsync("/d/t/tx1", "10", ct);
                    }

                    await tx.WriteAsync("/d/t/tx1", read + "+1", ct);
                    return read + "+1";
                },
                cancellationToken: ct);
            return $"{attempts} attempts, wrote {value}";
        });

        // An unprivileged domain over its ring page.
        await Step("domain path 5", async () => await dom0.GetDomainPathAsync(Guest, ct));
        await Step("is 5 introduced", async () => (await dom0.IsDomainIntroducedAsync(Guest, ct)).ToString());
        await using var guest = await XenStoreGuest.IntroduceAsync(_server.Root, Guest, dom0, ct).Within();
        var xs = guest.Client;
        await Step("is 5 introduced after INTRODUCE", async () => (await dom0.IsDomainIntroducedAsync(Guest, ct)).ToString());
        await Step("set perms /d n0 r5", () => Ok(dom0.SetPermissionsAsync("/d", [new XsPermission(XsAccess.None, DomainId.Dom0), new XsPermission(XsAccess.Read, Guest)], ct)));
        await Step("set perms /d/t/a b6 r5", () => Ok(dom0.SetPermissionsAsync("/d/t/a", [new XsPermission(XsAccess.Both, Other), new XsPermission(XsAccess.Read, Guest)], ct)));
        await Step("perms /d/t/a", () => Perms(dom0, "/d/t/a", ct));
        await using var guestWatch = await xs.WatchAsync("data", "g", ct).Within();
        _guestEvents = guestWatch.GetAsyncEnumerator(ct);
        _lines.Add("guest initial event " + Format(await _guestEvents.NextAsync()));
        await Step("guest read name", () => xs.ReadAsync("name", ct));
        await Step("guest write data/x", () => Ok(xs.WriteAsync("data/x", "guest", ct)));
        await Step("guest perms data/x", () => Perms(xs, "data/x", ct));
        await Step("dom0 write /local/domain/5/data/y", () => Ok(dom0.WriteAsync("/local/domain/5/data/y", "dom0", ct)));
        await Step("guest perms data/y (created by dom0)", () => Perms(xs, "data/y", ct));
        await Step("guest read /d/t/a (r5)", () => xs.ReadAsync("/d/t/a", ct));
        await Step("guest write /d/t/a (r5 only)", () => Ok(xs.WriteAsync("/d/t/a", "forged", ct)));
        await Step("guest read /d/t/tx2 (n0 r6 inherited)", () => xs.ReadAsync("/d/t/tx2", ct));
        await Step("guest read /d/stale (r5 granted before domain 5 existed)", () => xs.ReadAsync("/d/stale", ct));
        await Step("guest read /d/t/none (n0 parent)", () => xs.ReadAsync("/d/t/none", ct));
        await Step("guest directory /d", () => List(xs.DirectoryAsync("/d", ct)));
        await Step("guest mkdir /d/forbidden", () => Ok(xs.MkdirAsync("/d/forbidden", ct)));
        await Step("guest rm /d/t", () => Ok(xs.RemoveAsync("/d/t", ct)));
        await Step("guest set perms data/x n5 r6", () => Ok(xs.SetPermissionsAsync("data/x", [new XsPermission(XsAccess.None, Guest), new XsPermission(XsAccess.Read, Other)], ct)));
        await Step("guest perms data/x", () => Perms(xs, "data/x", ct));
        await Step("guest gives data/x away to 6", () => Ok(xs.SetPermissionsAsync("data/x", [new XsPermission(XsAccess.None, Other)], ct)));
        await Step("guest transaction on its own nodes", async () =>
        {
            await using var tx = await xs.StartTransactionAsync(ct);
            await tx.WriteAsync("data/tx", "1", ct);
            return $"commit {await tx.CommitAsync(ct)}";
        });
        await Step("guest introduce itself", () => Ok(xs.IntroduceAsync(Guest, 0, new EventChannelPort(1), ct)));
        await Step("guest rm data", () => Ok(xs.RemoveAsync("data", ct)));

        await guestWatch.DisposeAsync(); // while the domain is served: UNWATCH gets its answer
        _guestEvents = null;
        await Step("release 5", () => Ok(dom0.ReleaseAsync(Guest, ct)));
        await Step("is 5 introduced after RELEASE", async () => (await dom0.IsDomainIntroducedAsync(Guest, ct)).ToString());
        await Step("dom0 directory /local/domain/5", () => List(dom0.DirectoryAsync("/local/domain/5", ct)));
    }

    private async Task Step(string what, Func<Task<string?>> operation)
    {
        string answer;
        try
        {
            answer = await operation().Within() ?? "(none)";
        }
        catch (XenStoreException error)
        {
            answer = "error " + error.Error;
        }

        _step++;
        _lines.Add($"{what} -> {answer}");
        var sync = "/d/sync";
        await _dom0.WriteAsync(sync, _step.ToString(CultureInfo.InvariantCulture)).Within();
        _lines.Add($"  dom0 events: {await EventsUntil(_dom0Events, sync)}");
        if (_guestEvents is not null)
        {
            await _dom0.WriteAsync("/local/domain/5/data/sync", _step.ToString(CultureInfo.InvariantCulture)).Within();
            _lines.Add($"  guest events: {await EventsUntil(_guestEvents, "data/sync")}");
        }
    }

    /// <summary>The events before the sync event, sorted (servers may order one step's events differently).</summary>
    private static async Task<string> EventsUntil(IAsyncEnumerator<XsWatchEvent> events, string sync)
    {
        var seen = new List<string>();
        while (true)
        {
            var next = await events.NextAsync();
            if (next.Path == sync)
            {
                return string.Join(' ', seen.Order(StringComparer.Ordinal));
            }

            seen.Add(Format(next));
        }
    }

    private static string Format(XsWatchEvent e) => $"{e.Path}({e.Token})";

    private static async Task<string?> Ok(Task task)
    {
        await task;
        return "OK";
    }

    private static async Task<string?> List(Task<IReadOnlyList<string>> names) =>
        "[" + string.Join(' ', (await names).Order(StringComparer.Ordinal)) + "]";

    private static async Task<string?> Perms(XenStoreOperations xs, string path, CancellationToken ct) =>
        string.Join(' ', (await xs.GetPermissionsAsync(path, ct)).Select(p => p.ToString()));

    /// <summary>A request sent as is (no client-side path checks), so the server's own answer shows.</summary>
    private static async Task<string?> Raw(XenStoreClient xs, XsMessageType type, string path, CancellationToken ct)
    {
        var reply = await xs.RequestAsync(type, 0, XsPayload.Strings(path), ct);
        return reply.Type == XsMessageType.Error
            ? "error " + XsErrors.Parse(reply.Payload)
            : $"{reply.Type} [{string.Join(' ', XsPayload.Split(reply.Payload))}]";
    }
}
