using GuestAgentKit.Interop.Tests.Harness;

namespace GuestAgentKit.Interop.Tests.Differential;

/// <summary>
/// The same <see cref="XenStoreScript"/> against our embedded xenstored and Debian's real ones: the
/// transcripts must be equal line for line, except the steps listed in <see cref="KnownDifferences"/>
/// (each with its reason, documented in docs/testing.md), which must still differ.
/// </summary>
public sealed class XenStoreDifferentialTests
{
    /// <summary>Steps whose answers differ on purpose or by a gap of the embedded server (docs/testing.md).</summary>
    private static readonly Dictionary<XenStoreServerKind, Dictionary<string, string>> KnownDifferences = new()
    {
        [XenStoreServerKind.C] = new()
        {
            ["guest read /d/stale (r5 granted before domain 5 existed)"] =
                "C xenstored asks the hypervisor whether a domain named in SET_PERMS exists and ignores the entry if not; the embedded server has no hypervisor and counts it as existing (a domain id reused after the node was written is ignored by both, XSA-322)",
        },
        [XenStoreServerKind.OCaml] = new()
        {
            ["guest read /d/t/none (n0 parent)"] =
                "a missing node under a parent the domain may not read: C xenstored and the embedded server say EACCES (no existence leak), oxenstored ENOENT",
            ["guest gives data/x away to 6"] = "an unprivileged owner change: C xenstored and the embedded server say EPERM, oxenstored EACCES",
            ["transaction writing one node twice and setting its permissions"] =
                "at commit C xenstored and the embedded server fire each changed node once, oxenstored once per operation",
        },
    };

    [Theory]
    [InlineData(XenStoreServerKind.C)]
    [InlineData(XenStoreServerKind.OCaml)]
    public async Task Script_EmbeddedAndRealXenStored_SameTranscript(XenStoreServerKind real)
    {
        var ct = TestContext.Current.CancellationToken;
        var known = KnownDifferences[real];

        var expected = Steps(await RunAsync(real, ct));
        var actual = Steps(await RunAsync(XenStoreServerKind.Embedded, ct));

        Assert.Equal(expected.Select(s => s.Label), actual.Select(s => s.Label));
        var unexpected = expected.Zip(actual)
            .Where(pair => !known.ContainsKey(pair.First.Label) && pair.First.Text != pair.Second.Text)
            .Select(pair => $"{real}:\n{pair.First.Text}\nembedded:\n{pair.Second.Text}")
            .ToList();
        Assert.True(unexpected.Count == 0, $"{unexpected.Count} steps differ:\n{string.Join("\n\n", unexpected)}");
        foreach (var (label, reason) in known)
        {
            var index = expected.FindIndex(s => s.Label == label);
            Assert.True(index >= 0 && expected[index].Text != actual[index].Text, $"documented difference gone, update docs/testing.md: {label} ({reason})");
        }

        Assert.Contains(expected, s => s.Text.StartsWith("transaction conflicting with another client's write -> saw 1, outside 1, commit False", StringComparison.Ordinal));
        Assert.Contains(expected, s => s.Text.StartsWith("guest write /d/t/a (r5 only) -> error EACCES", StringComparison.Ordinal));
        Assert.Contains(expected, s => s.Text.StartsWith("TransactAsync with one conflict -> 2 attempts", StringComparison.Ordinal));
    }

    private static async Task<IReadOnlyList<string>> RunAsync(XenStoreServerKind kind, CancellationToken ct)
    {
        await using var server = await XenStoreServer.StartAsync(kind, ct);
        return await XenStoreScript.RunAsync(server, ct);
    }

    /// <summary>Groups a transcript into steps: a step line and its indented event lines.</summary>
    private static List<(string Label, string Text)> Steps(IReadOnlyList<string> lines)
    {
        var steps = new List<(string Label, string Text)>();
        foreach (var line in lines)
        {
            if (line.StartsWith(' ') && steps.Count > 0)
            {
                steps[^1] = (steps[^1].Label, steps[^1].Text + "\n" + line);
            }
            else
            {
                var arrow = line.IndexOf(" -> ", StringComparison.Ordinal);
                steps.Add((arrow < 0 ? line : line[..arrow], line));
            }
        }

        return steps;
    }
}
