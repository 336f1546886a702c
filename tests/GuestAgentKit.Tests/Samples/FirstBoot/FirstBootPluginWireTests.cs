using System.Runtime.Versioning;
using System.Text.Json;
using GuestAgentKit.Channels;
using GuestAgentKit.Protocol;
using GuestAgentKit.Samples.FirstBoot.Plugin;
using GuestAgentKit.Tests.Protocol;

namespace GuestAgentKit.Tests.Samples.FirstBoot;

/// <summary><c>config.apply</c> errors byte by byte, as a client written from the README alone sees them.</summary>
[SupportedOSPlatform("linux")]
public sealed class FirstBootPluginWireTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData("""{"hostname":"bad_name","dns":{"servers":["x"]}}""", FirstBootErrorCodes.InvalidParams, """[{"field":"hostname",""")]
    [InlineData("""{"hostname":"web1","hostnme":"x"}""", FirstBootErrorCodes.InvalidParams, """[{"field":"hostnme",""")]
    public async Task Apply_BadConfig_ErrorCarriesCodeAndFieldList(string config, int code, string dataStart)
    {
        using var root = new TempGuestRoot();
        using var service = new FirstBootService(root.Path);
        await using var pair = await SocketPair.CreateAsync();
        using var stop = new CancellationTokenSource();
        var agent = new AgentEndpoint(WellKnownChannels.Agent.Name, new AgentIdentity("t", "1"), FirstBootPlugin.EndpointOptions()).AddFirstBoot(service)
            .RunAsync(pair.Guest, stop.Token);
        var peer = new RawPeer(pair.Host);
        await peer.HelloAsync("0123", WellKnownChannels.Agent.Name.Value);

        await peer.WriteAsync("""{"jsonrpc":"2.0","id":7,"method":"config.apply","params":{"config":""" + config + "}}\n");
        using var answer = JsonDocument.Parse(await peer.ReadLineAsync());

        var error = answer.RootElement.GetProperty("error");
        Assert.Equal(7, answer.RootElement.GetProperty("id").GetInt32());
        Assert.Equal(code, error.GetProperty("code").GetInt32());
        Assert.StartsWith(dataStart, error.GetProperty("data").GetRawText(), StringComparison.Ordinal);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => agent.WaitAsync(Timeout, TestContext.Current.CancellationToken));
    }
}
