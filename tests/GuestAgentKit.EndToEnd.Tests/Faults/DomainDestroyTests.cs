using GuestAgentKit.EndToEnd.Tests.Agent;

namespace GuestAgentKit.EndToEnd.Tests.Faults;

/// <summary>
/// A domain destroyed (<c>gak-host loopback destroy</c>) while its channel carries a session: the backend PROCESS
/// must give back everything the channel held — descriptors, sockets, event channel FIFOs, grant mappings — and
/// remove the channel's socket file; the dom0 client sees its connection end.
/// </summary>
public sealed class DomainDestroyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Backend_DomainDestroyedMidSession_ReleasesFdsSocketsEventChannelsAndMappings()
    {
        await using var rig = await LoopbackRig.StartAsync();
        var backend = rig.StartBackend();

        // One channel served and destroyed first, so what the runtime creates once (the epoll thread, its
        // descriptors) is in the "before" counts and only the channel's own resources are compared.
        await ServeAndDestroyAsync(rig, "warmup", during: null);
        await rig.WaitUntilAsync(() => Task.FromResult(ProcessResources.Of(backend.Id, rig.Root).GrantMappings == 0), "the warm-up channel to be released");
        var before = ProcessResources.Of(backend.Id, rig.Root);

        ProcessResources? during = null;
        var socketPath = await ServeAndDestroyAsync(rig, "victim", r => during = r);

        var after = before;
        await rig.WaitUntilAsync(
            () => Task.FromResult((after = ProcessResources.Of(backend.Id, rig.Root)).HoldsNoMoreThan(before)),
            $"the backend to return to {before}",
            now: () => after.ToString());
        SoakBudget.Report(nameof(Backend_DomainDestroyedMidSession_ReleasesFdsSocketsEventChannelsAndMappings), $"before: {before}; during: {during}; after: {after}");

        Assert.NotNull(during);
        Assert.True(during.Sockets >= before.Sockets + 2, $"during: {during}"); // the listener and the client
        Assert.True(during.EventChannels > before.EventChannels, $"during: {during}");
        Assert.Equal(before.GrantMappings + 1, during.GrantMappings);
        Assert.True(after.HoldsNoMoreThan(before), $"before: {before}; after: {after}");
        Assert.False(File.Exists(socketPath), "the channel socket is still there");
        Assert.False(backend.HasExited);
    }

    /// <summary>Creates a domain with a channel, streams both ways through the backend, destroys the domain with the
    /// CLI mid-stream and waits for the client's connection to end; returns the socket path.</summary>
    private static async Task<string> ServeAndDestroyAsync(LoopbackRig rig, string name, Action<ProcessResources>? during)
    {
        var channel = await rig.AddDomainAsync(name, "org.example.seq.1");
        await rig.WaitConnectedAsync(channel);
        await using var guest = GuestStreamer.Start(channel.Device, seed: 5);
        var dom0 = new Dom0Streamer(seed: 6);
        using var socket = await LoopbackRig.ConnectAsync(channel.SocketPath, LoopbackRig.Timeout);
        var reader = dom0.ReadAsync(socket);
        var writer = dom0.WriteAsync(socket);
        await rig.WaitUntilAsync(() => Task.FromResult(dom0.FromGuest.Expected > 100_000 && guest.FromDom0.Expected > 100_000), "bytes to flow both ways");
        during?.Invoke(ProcessResources.Of(rig.Backend!.Id, rig.Root));

        var (code, _, stderr) = await Tool.RunAsync("gak-host", "loopback", "destroy", "--dir", rig.Root, name);
        Assert.True(code == 0, stderr);
        Assert.True(await reader.WaitAsync(LoopbackRig.Timeout, Ct), "the client's connection did not end");
        await writer.WaitAsync(LoopbackRig.Timeout, Ct);
        Assert.Equal(0, dom0.FromGuest.Lost);
        return channel.SocketPath;
    }
}
