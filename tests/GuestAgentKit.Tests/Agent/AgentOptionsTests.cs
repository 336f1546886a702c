using GuestAgentKit.Channels;
using GuestAgentKit.Guest.Agent;
using Microsoft.Extensions.Configuration;

namespace GuestAgentKit.Tests.Agent;

public sealed class AgentOptionsTests
{
    private static AgentOptions Read(params (string Key, string Value)[] values) =>
        AgentOptions.FromConfiguration(new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value)))
            .Build());

    [Fact]
    public void FromConfiguration_Empty_Defaults()
    {
        var options = Read();

        Assert.Equal(WellKnownChannels.Agent.Name, options.Channel);
        Assert.Null(options.Device);
        Assert.Equal("/dev", options.DeviceDirectory);
        Assert.Equal(Limits.ProtocolLineMaxBytes, options.MaxLineBytes);
        Assert.Equal(Limits.ChannelReopenInitialDelay, options.Reopen.InitialDelay);
    }

    [Fact]
    public void FromConfiguration_Values_Read()
    {
        var options = Read(
            ("Agent:Channel", "org.example.test.1"),
            ("Agent:Device", "/dev/hvc3"),
            ("Agent:Xenbus", "/tmp/xenbus"),
            ("Agent:DeviceDirectory", "/tmp/guest"),
            ("Agent:MaxLineBytes", "4096"),
            ("Agent:ReopenInitialDelay", "00:00:00.05"),
            ("Agent:ReopenMaximumDelay", "00:00:01"),
            ("Agent:BaudRate", "9600"));

        Assert.Equal("org.example.test.1", options.Channel.Value);
        Assert.Equal("/dev/hvc3", options.Device);
        Assert.Equal("/tmp/xenbus", options.Xenbus);
        Assert.Equal("/tmp/guest", options.DeviceDirectory);
        Assert.Equal(4096, options.MaxLineBytes);
        Assert.Equal(TimeSpan.FromMilliseconds(50), options.Reopen.InitialDelay);
        Assert.Equal(TimeSpan.FromSeconds(1), options.Reopen.MaximumDelay);
        Assert.Equal(9600, options.BaudRate);
    }

    [Theory]
    [InlineData("Agent:Channel", "bad,name", "Agent:Channel")]
    [InlineData("Agent:MaxLineBytes", "lots", "Agent:MaxLineBytes")]
    [InlineData("Agent:MaxLineBytes", "-1", "Agent:MaxLineBytes")]
    [InlineData("Agent:ReopenInitialDelay", "soon", "Agent:ReopenInitialDelay")]
    [InlineData("Agent:ReopenInitialDelay", "00:00:00", "Agent:ReopenInitialDelay")]
    public void FromConfiguration_BadValue_NamesTheKey(string key, string value, string named)
    {
        var error = Assert.Throws<AgentConfigurationException>(() => Read((key, value)));

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/dev/ttyS1", true)]
    [InlineData("/dev/ttyUSB0", true)]
    [InlineData("/dev/hvc1", false)]
    [InlineData("/tmp/guest/hvc1", false)]
    public void IsSerialPort_Path_ByKernelName(string path, bool serial) => Assert.Equal(serial, AgentOptions.IsSerialPort(path));
}
