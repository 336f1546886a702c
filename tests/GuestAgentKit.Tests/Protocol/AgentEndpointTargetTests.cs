using GuestAgentKit.Protocol;

namespace GuestAgentKit.Tests.Protocol;

public sealed class AgentEndpointTargetTests
{
    private static AgentEndpoint NewEndpoint() => new(AgentHarness.Name, new AgentIdentity("a", "1"));

    [Fact]
    public void Methods_FreshEndpoint_OnlyBuiltins()
    {
        Assert.Equal(["agent.ping"], NewEndpoint().Methods);
    }

    [Fact]
    public void AddTarget_Interface_MethodsNamespacedCamelCaseWithoutAsync()
    {
        var endpoint = NewEndpoint().AddTarget<ITestService>("my-plugin", new TestService());

        Assert.Equal(["agent.ping", "my-plugin.echo", "my-plugin.big", "my-plugin.fail", "my-plugin.hang"], endpoint.Methods);
    }

    [Fact]
    public void AddTarget_SameMethodsTwice_Throws()
    {
        var endpoint = NewEndpoint().AddTarget<ITestService>("test", new TestService());

        var ex = Assert.Throws<ArgumentException>(() => endpoint.AddTarget<ITestService>("test", new TestService()));

        Assert.Contains("'test.echo' is already served", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddTarget_InterfaceWithEvents_ThrowsAndServesNothingNew()
    {
        var endpoint = NewEndpoint();

        var ex = Assert.Throws<ArgumentException>(() => endpoint.AddTarget<IEventingService>("ev", new EventingService()));

        Assert.Contains("declares events", ex.Message, StringComparison.Ordinal);
        Assert.Equal(["agent.ping"], endpoint.Methods);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a b")]
    [InlineData("x\"y")]
    public void AddTarget_BadPrefix_Throws(string prefix)
    {
        Assert.ThrowsAny<ArgumentException>(() => NewEndpoint().AddTarget<ITestService>(prefix, new TestService()));
    }

    [Fact]
    public void Constructor_IdentityTooLongForWelcome_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => new AgentEndpoint(AgentHarness.Name, new AgentIdentity(new string('n', Limits.HandshakeLineMaxBytes), "1")));

        Assert.Contains("exceed 65536 bytes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_NoVersions_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new AgentEndpoint(AgentHarness.Name, new AgentIdentity("a", "1"), new AgentEndpointOptions { ProtocolVersions = [] }));
    }

    /// <summary>A target StreamJsonRpc would turn events into notifications for: refused (NativeAOT-unsafe, and only methods are served).</summary>
    public interface IEventingService
    {
        event EventHandler<int>? Changed;

        Task<int> GetAsync();
    }

    private sealed class EventingService : IEventingService
    {
        public event EventHandler<int>? Changed;

        public Task<int> GetAsync()
        {
            Changed?.Invoke(this, 1);
            return Task.FromResult(1);
        }
    }
}
