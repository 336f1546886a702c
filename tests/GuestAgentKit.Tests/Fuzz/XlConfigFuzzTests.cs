using System.Text;
using GuestAgentKit.Channels.Xl;

namespace GuestAgentKit.Tests.Fuzz;

/// <summary>
/// xl domain configuration files (beyond the spec-string fuzz in Channels/Xl): mutated real configs and
/// configs built from random tokens. Parsing gives a value or an XlChannelSpecException, nothing else;
/// and whatever parses survives a format/parse round trip unchanged.
/// </summary>
[Collection(FuzzCollection.Name)]
public sealed class XlConfigFuzzTests
{
    private const string Seed = """
        name = "guest1"   # the domain name
        memory = 1024; vcpus = 2
        disk = [ 'phy:/dev/vg/guest1,xvda,w', "format=raw, vdev=xvdb, target=/x#y" ]
        channel = [
            "connection=socket, name=org.guestagentkit.agent.1, path=/run/gak/guest1.sock",
            'connection=pty, name=org.xenproject.guest.clipboard.0.1',   # clipboard
            "connection = socket , name = a.b , path = /tmp/s , backend = 0",
        ]
        on_crash = "restart"
        """;

    private static readonly string[] Tokens =
    [
        "channel", "=", " ", "\n", "[", "]", ",", ";", "#", "\"", "'", "connection=socket", "connection=pty", "name=",
        "path=", "backend=", "org.guestagentkit.agent.1", "/run/x.sock", "a", "0", "1e9", "\\", "\\\"", "\t", "\r\n",
        "\u00e9", "\u0000", "\u00ff", "\"\"\"", "name=" + new string('n', 200), "path=/" + new string('p', 120), "channel=[", "]]",
    ];

    [Fact]
    public void ParseConfig_MutatedAndRandomConfigs_ValueOrSpecExceptionAndRoundTrips()
    {
        var cases = FuzzBudget.Cases(bounded: 20_000, longRun: 1_000_000);
        var random = FuzzBudget.Random(salt: 6);
        int parsed = 0, rejected = 0, channels = 0;
        for (var i = 0; i < cases; i++)
        {
            var text = i % 2 == 0 ? Mutate(Seed, random) : FromTokens(random);
            IReadOnlyList<XlChannelSpec> specs;
            try
            {
                specs = XlChannelList.ParseConfig(text);
            }
            catch (XlChannelSpecException)
            {
                rejected++;
                continue;
            }

            parsed++;
            channels += specs.Count;
            if (specs.Count > 0)
            {
                var line = XlChannelList.FormatConfigLine(specs);
                Assert.Equal(specs.Select(s => s.Format()), XlChannelList.ParseConfig(line).Select(s => s.Format()));
            }
        }

        Assert.InRange(parsed, 1, cases - 1);
        Assert.True(channels > 0, "no mutated config kept a channel");
        FuzzBudget.Report(nameof(ParseConfig_MutatedAndRandomConfigs_ValueOrSpecExceptionAndRoundTrips), $"cases={cases} parsed={parsed} rejected={rejected} channels-round-tripped={channels}");
    }

    private static string Mutate(string text, Random random)
    {
        var builder = new StringBuilder(text);
        for (var edits = random.Next(1, 6); edits > 0 && builder.Length > 0; edits--)
        {
            var at = random.Next(builder.Length);
            switch (random.Next(4))
            {
                case 0:
                    builder.Remove(at, Math.Min(random.Next(1, 8), builder.Length - at));
                    break;
                case 1:
                    builder.Insert(at, Tokens[random.Next(Tokens.Length)]);
                    break;
                case 2:
                    builder[at] = (char)random.Next(0, 256);
                    break;
                default:
                    var from = random.Next(builder.Length);
                    builder.Insert(at, builder.ToString(from, Math.Min(random.Next(1, 40), builder.Length - from)));
                    break;
            }
        }

        return builder.ToString();
    }

    private static string FromTokens(Random random) =>
        string.Concat(Enumerable.Range(0, random.Next(1, 40)).Select(_ => Tokens[random.Next(Tokens.Length)]));
}
