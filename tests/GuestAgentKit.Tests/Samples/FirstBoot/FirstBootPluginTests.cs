using System.Runtime.Versioning;
using System.Text.Json;
using GuestAgentKit.Channels;
using GuestAgentKit.Protocol;
using GuestAgentKit.Samples.FirstBoot.Dom0;
using GuestAgentKit.Samples.FirstBoot.Guest;
using GuestAgentKit.Samples.FirstBoot.Plugin;
using GuestAgentKit.Tests.Protocol;
using StreamJsonRpc;

namespace GuestAgentKit.Tests.Samples.FirstBoot;

/// <summary><c>config.*</c> over the real channel protocol: an agent endpoint and a dom0 session on a socket pair.</summary>
[SupportedOSPlatform("linux")]
public sealed class FirstBootPluginTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly TempGuestRoot _root = new();
    private readonly CancellationTokenSource _stop = new();
    private SocketPair _pair = null!;
    private FirstBootService _service = null!;
    private Task _agent = null!;
    private ChannelSession _session = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _pair = await SocketPair.CreateAsync();
        _service = new FirstBootService(_root.Path);
        var endpoint = new AgentEndpoint(WellKnownChannels.Agent.Name, new AgentIdentity("firstboot-test", "1"), FirstBootPlugin.EndpointOptions())
            .AddFirstBoot(_service);
        _agent = endpoint.RunAsync(_pair.Guest, _stop.Token);
        _session = await ChannelSession.ConnectAsync(
            _pair.Host,
            WellKnownChannels.Agent.Name,
            new HostSessionOptions { JsonTypeInfoResolver = FirstBootRpc.JsonTypeInfoResolver, LeaveStreamOpen = true },
            Ct).WaitAsync(Timeout, Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _session.DisposeAsync();
        await _stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _agent.WaitAsync(Timeout));
        await _pair.DisposeAsync();
        _service.Dispose();
        _stop.Dispose();
        _root.Dispose();
    }

    [Fact]
    public void Welcome_ListsConfigMethods()
    {
        Assert.Contains(FirstBootMethods.Apply, _session.Welcome.Methods);
        Assert.Contains(FirstBootMethods.Validate, _session.Welcome.Methods);
    }

    [Fact]
    public async Task Apply_ValidConfig_WritesFilesAndReportsThem()
    {
        var result = await FirstBootRpc.ApplyAsync(_session, ToJson(FirstBootApplierTests.FullConfig()), Ct).WaitAsync(Timeout, Ct);

        Assert.Equal("web1\n", _root.Read("etc/hostname"));
        Assert.Contains(new FileChange("/etc/hostname", FileChangeAction.Created), result.Files);
        Assert.Contains(new FileChange("/etc/hosts", FileChangeAction.Updated), result.Files);
        Assert.Contains(new FileChange("/home/alice/.ssh/authorized_keys", FileChangeAction.Created), result.Files);
        Assert.True(result.Changed);
    }

    [Fact]
    public async Task Apply_SameConfigTwice_SecondReportsEverythingUnchanged()
    {
        var config = ToJson(FirstBootApplierTests.FullConfig());
        await FirstBootRpc.ApplyAsync(_session, config, Ct).WaitAsync(Timeout, Ct);

        var second = await FirstBootRpc.ApplyAsync(_session, config, Ct).WaitAsync(Timeout, Ct);

        Assert.All(second.Files, f => Assert.Equal(FileChangeAction.Unchanged, f.Action));
        Assert.False(second.Changed);
    }

    [Fact]
    public async Task Apply_InvalidFields_ErrorNamesEveryFieldAndNothingChanges()
    {
        var before = _root.Snapshot();
        var config = Parse("""{"hostname":"bad_name","interfaces":[{"name":"eth0","addresses":["192.0.2.10/33"]}],"sshAuthorizedKeys":[{"user":"mallory","keys":[]}]}""");

        var ex = await Assert.ThrowsAsync<FirstBootRejectedException>(() => FirstBootRpc.ApplyAsync(_session, config, Ct).WaitAsync(Timeout, Ct));

        Assert.StartsWith("invalid config: hostname: ", ex.Message, StringComparison.Ordinal);
        var fields = ex.Errors.Select(e => e.Field).ToList();
        Assert.Contains("hostname", fields);
        Assert.Contains("interfaces[0].addresses[0]", fields);
        Assert.Contains("sshAuthorizedKeys[0].user", fields);
        Assert.Equal(FirstBootErrorCodes.InvalidParams, (int)Assert.IsType<RemoteMethodNotFoundException>(ex.InnerException).ErrorCode);
        Assert.Equal(before, _root.Snapshot());
    }

    [Theory]
    [InlineData("""{"hostname":"web1","hostnme":"x"}""", "hostnme", "is not a member")]
    [InlineData("""{"hostname":"web1","interfaces":[{"name":null,"dhcp":true}]}""", "interfaces[0].name", "must not be null")]
    [InlineData("""{"hostname":"web1","interfaces":[{"name":"eth0","dhcp":"yes"}]}""", "interfaces[0].dhcp", "wrong JSON type")]
    [InlineData("""{"domain":"example.org"}""", "hostname", "is required")]
    [InlineData("""[1,2]""", "config", "must be a JSON object")]
    public async Task Apply_MisshapenJson_ErrorNamesTheField(string json, string field, string problem)
    {
        var before = _root.Snapshot();

        var ex = await Assert.ThrowsAsync<FirstBootRejectedException>(() => FirstBootRpc.ApplyAsync(_session, Parse(json), Ct).WaitAsync(Timeout, Ct));

        var error = Assert.Single(ex.Errors);
        Assert.Equal(field, error.Field);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        Assert.Contains(field, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("GuestAgentKit.", ex.Message, StringComparison.Ordinal); // no .NET type names cross the channel
        Assert.Equal(before, _root.Snapshot());
    }

    [Fact]
    public async Task Apply_FileSystemFailure_ApplyFailedCodeNamingThePath()
    {
        Directory.CreateDirectory(_root.Combine("etc/hostname")); // a directory where a file must go

        var ex = await Assert.ThrowsAsync<FirstBootApplyFailedException>(() => FirstBootRpc.ApplyAsync(_session, Parse("""{"hostname":"web1"}"""), Ct).WaitAsync(Timeout, Ct));

        Assert.Equal(FirstBootErrorCodes.ApplyFailed, Assert.IsType<RemoteInvocationException>(ex.InnerException).ErrorCode);
        Assert.Equal("/etc/hostname", ex.Failure?.Path);
        Assert.True(ex.Failure?.RollbackComplete);
        Assert.Equal(TempGuestRoot.DefaultHosts, _root.Read("etc/hosts"));
    }

    [Fact]
    public async Task Validate_InvalidConfig_ListsErrorsAndWritesNothing()
    {
        var before = _root.Snapshot();

        var errors = await FirstBootRpc.ValidateAsync(_session, Parse("""{"hostname":"-x","dns":{"servers":["not-an-ip"]}}"""), Ct).WaitAsync(Timeout, Ct);

        Assert.Equal(["hostname", "dns.servers[0]"], errors.Select(e => e.Field));
        Assert.Equal(before, _root.Snapshot());
    }

    [Fact]
    public async Task Validate_ValidConfig_NoErrors()
    {
        var errors = await FirstBootRpc.ValidateAsync(_session, ToJson(FirstBootApplierTests.FullConfig()), Ct).WaitAsync(Timeout, Ct);

        Assert.Empty(errors);
        Assert.False(File.Exists(_root.Combine("etc/hostname")));
    }

    private static JsonElement ToJson(FirstBootConfig config) =>
        JsonSerializer.SerializeToElement(config, FirstBootJsonContext.Default.FirstBootConfig);

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
