using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Text;
using System.Text.Json;

namespace GuestAgentKit.EndToEnd.Tests.Samples;

/// <summary>
/// A third-party agent over our channel: Debian's <c>qemu-ga</c> (package qemu-guest-agent) on the guest end of a
/// loopback channel, driven through the backend's socket with its own protocol. The channel must carry it untouched,
/// including the 0xFF delimiter bytes that are not UTF-8.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class QemuGuestAgentTests
{
    private const string QemuGa = "/usr/sbin/qemu-ga";
    private const string ChannelName = "org.qemu.guest_agent.0";
    private static readonly TimeSpan Timeout = LoopbackDom0.Timeout;

    [Fact]
    public async Task QemuGa_OnLoopbackChannel_AnswersSyncPingAndInfoThroughBackendSocket()
    {
        Assert.True(File.Exists(QemuGa), $"{QemuGa} is missing: install the Debian package qemu-guest-agent (tests/run.sh does)");
        await using var dom0 = await LoopbackDom0.StartAsync("gak-e2e-qga-");
        var socketPath = Path.Combine(dom0.RunDirectory, "qga.sock");
        var domain = await dom0.CreateDomainAsync("qga");
        await dom0.AddChannelAsync(domain, $"connection=socket, name={ChannelName}, path={socketPath}");
        await dom0.StartBackendAsync();
        var device = dom0.GuestDevice(domain, 1);
        await dom0.WaitForChannelAsync(socketPath, device);

        var state = System.IO.Directory.CreateDirectory(Path.Combine(dom0.Directory, "qga")).FullName;
        // -t/-f: state and pid file in the test's directory (the defaults are /var/run); -v logs each command.
        var agent = dom0.Track(SampleProcess.StartExecutable(QemuGa, ["-m", "isa-serial", "-p", device, "-t", state, "-f", Path.Combine(state, "qemu-ga.pid"), "-v"]));
        await agent.WaitForTextAsync("started", Timeout);

        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), Ct).AsTask().WaitAsync(Timeout, Ct);
        var qga = new QgaClient(socket);

        var syncId = Random.Shared.Next(1, int.MaxValue);
        var synced = await qga.SyncDelimitedAsync(syncId).WaitAsync(Timeout, Ct);
        var ping = await qga.ExecuteAsync("""{"execute":"guest-ping"}""").WaitAsync(Timeout, Ct);
        var info = await qga.ExecuteAsync("""{"execute":"guest-info"}""").WaitAsync(Timeout, Ct);

        Assert.Equal(syncId, synced.GetProperty("return").GetInt32());
        Assert.Equal(JsonValueKind.Object, ping.GetProperty("return").ValueKind);
        Assert.Empty(ping.GetProperty("return").EnumerateObject());
        var result = info.GetProperty("return");
        Assert.Matches(@"^\d+\.\d+", result.GetProperty("version").GetString());
        var commands = result.GetProperty("supported_commands").EnumerateArray()
            .ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("enabled").GetBoolean(), StringComparer.Ordinal);
        Assert.True(commands["guest-ping"]);
        Assert.True(commands["guest-sync-delimited"]);
        Assert.Contains("guest-info", agent.Output, StringComparison.Ordinal); // -v: qemu-ga logged the command it ran
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>qemu-ga's wire protocol (QMP-style JSON objects, one reply per line) over a byte stream.</summary>
    private sealed class QgaClient(Socket socket)
    {
        private const byte Delimiter = 0xFF;
        private readonly List<byte> _pending = [];

        /// <summary>
        /// Sends 0xFF (resets qemu-ga's JSON parser) and <c>guest-sync-delimited</c>; skips everything until a reply that
        /// starts with 0xFF and carries <paramref name="id"/> (what libvirt does: older replies and the parse error the
        /// 0xFF itself may cause come first).
        /// </summary>
        public async Task<JsonElement> SyncDelimitedAsync(int id)
        {
            await SendAsync([Delimiter, .. Encoding.UTF8.GetBytes($$$"""{"execute":"guest-sync-delimited","arguments":{"id":{{{id}}}}}""" + "\n")]);
            while (true)
            {
                var line = await ReadLineAsync();
                var marker = Array.LastIndexOf(line, Delimiter);
                if (marker < 0)
                {
                    continue;
                }

                var reply = JsonDocument.Parse(line.AsMemory(marker + 1)).RootElement;
                if (reply.TryGetProperty("return", out var value) && value.ValueKind == JsonValueKind.Number && value.GetInt64() == id)
                {
                    return reply;
                }
            }
        }

        public async Task<JsonElement> ExecuteAsync(string command)
        {
            await SendAsync(Encoding.UTF8.GetBytes(command + "\n"));
            return JsonDocument.Parse(await ReadLineAsync()).RootElement;
        }

        private async Task SendAsync(byte[] bytes) => await socket.SendAsync(bytes, SocketFlags.None, Ct);

        private async Task<byte[]> ReadLineAsync()
        {
            var buffer = new byte[4096];
            int end;
            while ((end = _pending.IndexOf((byte)'\n')) < 0)
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, Ct);
                Assert.True(read > 0, $"the channel socket closed; unanswered bytes: {Encoding.UTF8.GetString([.. _pending])}");
                _pending.AddRange(buffer.AsSpan(0, read));
            }

            var line = _pending.GetRange(0, end).ToArray();
            _pending.RemoveRange(0, end + 1);
            return line;
        }
    }
}
