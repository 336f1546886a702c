using System.Security.Cryptography;
using GuestAgentKit.Interop.Tests.Harness;
using GuestAgentKit.Interop.Tests.Loopback;
using GuestAgentKit.Interop.Tests.RealXen;
using GuestAgentKit.Posix;

namespace GuestAgentKit.Interop.Tests.NativePlatform;

/// <summary>
/// <c>gak-host backend --native</c> as its own process: the backend's real P/Invoke platform
/// (<c>NativeXenPlatform</c>) loading <c>libxengnttab.so.1</c>/<c>libxenevtchn.so.1</c> by soname from
/// LD_LIBRARY_PATH — the tests/native stand-ins — with Debian's real C xenstored, serving a channel of a
/// domain the guest kernel emulator runs.
/// </summary>
public sealed class NativeBackendRealXenStoredTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task BackendProcess_NativePlatformOnStandIns_ChannelConnectsAndBytesFlow()
    {
        await using var loopback = await RealXenLoopback.StartAsync(XenStoredKind.C, Ct);
        var domain = await loopback.Xen.CreateDomainAsync("native", null, Ct).WaitAsync(RealXenLoopback.Timeout, Ct);
        var standIns = loopback.Store.StandIns;
        var environment = new Dictionary<string, string>
        {
            ["GAK_LOOPBACK_DIR"] = loopback.Root,
            ["GAK_LOOPBACK_DOMID"] = "0",
            ["LD_LIBRARY_PATH"] = standIns.Directory,
        };
        using var backend = ChildProcess.Start(
            "dotnet",
            [Path.Combine(AppContext.BaseDirectory, "gak-host.dll"), "backend", "--native", "--xenstore", loopback.Store.SocketPath],
            environment);
        try
        {
            var log = ProcessLog.Follow(backend, "gak-host backend");
            var (channel, socket) = await loopback.AddSocketChannelAsync(domain.Id, "org.example.native.1", Ct);
            await loopback.WaitConnectedAsync(channel, Ct).WaitAsync(RealXenLoopback.Timeout, Ct);

            // The process runs on the stand-ins, not on Debian's real libraries of the same soname.
            var maps = await File.ReadAllTextAsync($"/proc/{backend.Id}/maps", Ct);
            Assert.True(maps.Contains(Path.Combine(standIns.Directory, "libxengnttab.so.1"), StringComparison.Ordinal), $"stand-in libxengnttab not mapped; {log}");
            Assert.True(maps.Contains(Path.Combine(standIns.Directory, "libxenevtchn.so.1"), StringComparison.Ordinal), $"stand-in libxenevtchn not mapped; {log}");

            await using var hvc1 = Tty.OpenRaw(Path.Combine(domain.GuestDirectory, "hvc1"));
            await using var client = await RealXenLoopback.ConnectClientAsync(socket, Ct);
            var fromGuest = RandomNumberGenerator.GetBytes(256 << 10);
            var fromDom0 = RandomNumberGenerator.GetBytes(256 << 10);
            var received = await Task.WhenAll(
                ByteTransfer.SendAsync(hvc1, fromGuest, client, Ct),
                ByteTransfer.SendAsync(client, fromDom0, hvc1, Ct)).WaitAsync(TimeSpan.FromMinutes(1), Ct);

            Assert.True(fromGuest.AsSpan().SequenceEqual(received[0]), $"guest bytes arrived changed on the channel socket; {log}");
            Assert.True(fromDom0.AsSpan().SequenceEqual(received[1]), $"client bytes arrived changed on hvc1; {log}");
            Assert.False(backend.HasExited, $"the backend exited; {log}");
        }
        finally
        {
            await ChildProcess.StopAsync(backend);
        }
    }
}
