using GuestAgentKit.Channels;
using GuestAgentKit.Channels.Xl;

namespace GuestAgentKit.Tests.Channels.Xl;

public sealed class XlChannelSpecTests
{
    [Fact]
    public void Parse_Socket_ReadsAllKeys()
    {
        var spec = XlChannelSpec.Parse("connection=socket, name=org.example.agent.1, path=/run/x.sock, backend=3");

        Assert.Equal("org.example.agent.1", spec.Name.Value);
        Assert.Equal(ChannelConnection.Socket, spec.Connection);
        Assert.Equal("/run/x.sock", spec.Path);
        Assert.Equal("3", spec.Backend);
    }

    [Fact]
    public void Parse_SpacesAroundSeparators_Accepted()
    {
        var spec = XlChannelSpec.Parse("  name = org.example.agent.1 ,connection= pty\t,backend =driverdom ");

        Assert.Equal(ChannelConnection.Pty, spec.Connection);
        Assert.Null(spec.Path);
        Assert.Equal("driverdom", spec.Backend);
        Assert.Equal("connection=pty, name=org.example.agent.1, backend=driverdom", spec.Format());
    }

    [Theory]
    [InlineData("connection=socket, name=org.example.agent.1, path=/run/x.sock")]
    [InlineData("connection=pty, name=org.example.agent.1")]
    [InlineData("connection=pty, name=a, backend=5")]
    [InlineData("connection=socket, name=org.xenproject.guest.clipboard.0.1, path=/var/lib/xen/c.sock, backend=dom0")]
    public void Format_CanonicalText_RoundTrips(string text)
    {
        var spec = XlChannelSpec.Parse(text);

        Assert.Equal(text, spec.Format());
        var again = XlChannelSpec.Parse(spec.Format());
        Assert.Equal((spec.Name, spec.Connection, spec.Path, spec.Backend), (again.Name, again.Connection, again.Path, again.Backend));
    }

    [Theory]
    [InlineData("connection=pty", "channel 2 has no name")]
    [InlineData("connection=pty, name=", "channel 2 has no name")]
    [InlineData("name=org.a.b.1", "channel 2 has no defined connection; to where should it be connected?")]
    [InlineData("name=org.a.b.1, connection=socket", "channel 2 has no path")]
    [InlineData("name=org.a.b.1, connection=tcp", "channel 2 has unknown connection type 'tcp' (expected socket or pty)")]
    [InlineData("name=org.a.b.1, connection=pty, speed=9600", "channel 2 has unknown parameter 'speed'")]
    [InlineData("name=org.a.b.1, connection=pty, name=org.a.b.2", "channel 2 sets 'name' twice")]
    [InlineData("name=org a, connection=pty", "channel 2 has a bad name: channel name contains a space (U+0020) at position 3")]
    [InlineData("name=org.a.b.1, connection=socket, path=run/x.sock", "channel 2 path 'run/x.sock' is not absolute")]
    [InlineData("name=org.a.b.1, connection=pty, path=/run/x.sock", "channel 2 has a path, which only connection=socket uses")]
    [InlineData("name=org.a.b.1,, connection=pty", "channel 2 has an empty parameter")]
    [InlineData("name=org.a.b.1, connection=pty,", "channel 2 has an empty parameter")]
    [InlineData("name=org.a.b.1, pty", "channel 2 parameter 'pty' is not key=value")]
    [InlineData("name=a=b, connection=pty", "channel 2 parameter 'name=a=b' has more than one '='")]
    [InlineData("name=org.a.b.1, connection=pty, backend=", "channel 2 backend '' is not a domain id or domain name")]
    public void Parse_Invalid_ThrowsLibxlStyleMessageWithIndex(string text, string expected)
    {
        var ex = Assert.Throws<XlChannelSpecException>(() => XlChannelSpec.Parse(text, 2));

        Assert.StartsWith(expected, ex.Message, StringComparison.Ordinal);
        Assert.Equal(2, ex.Index);
    }

    [Fact]
    public void Parse_PathTooLongForSunPath_StatesLimitAndLength()
    {
        var path = "/" + new string('p', 107);

        var ex = Assert.Throws<XlChannelSpecException>(() => XlChannelSpec.Parse($"connection=socket, name=a, path={path}"));

        Assert.Contains("path is 108 bytes long; a Unix socket path can have at most 107 bytes", ex.Message, StringComparison.Ordinal);
        Assert.Equal(path[..107], XlChannelSpec.Parse($"connection=socket, name=a, path={path[..107]}").Path);
    }

    [Fact]
    public void Constructor_SocketWithoutPath_ThrowsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => new XlChannelSpec(ChannelName.Parse("a"), ChannelConnection.Socket));
        Assert.Equal("connection=pty, name=a", new XlChannelSpec(ChannelName.Parse("a"), ChannelConnection.Pty).Format());
    }

    [Fact]
    public void Parse_RandomInput_OnlyValueOrSpecException()
    {
        var random = new Random(20261125);
        const string Alphabet = "connectiosk=ptyamhbd ,\"'[]#\n\t/.0123456789\\;\u00e9\u0000\u00ff";
        var parsed = 0;
        for (var i = 0; i < 10_000; i++)
        {
            var text = new string([.. Enumerable.Range(0, random.Next(0, 80)).Select(_ => Alphabet[random.Next(Alphabet.Length)])]);
            if (i % 3 == 0)
            {
                text = "connection=socket, name=a, path=/" + text;
            }

            try
            {
                _ = i % 2 == 0 ? XlChannelSpec.Parse(text, i) : (object)XlChannelList.ParseConfig("channel = [ \"" + text);
                parsed++;
            }
            catch (XlChannelSpecException)
            {
            }
        }

        Assert.InRange(parsed, 1, 9_999);
    }
}
