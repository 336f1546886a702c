using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using GuestAgentKit.Channels;
using GuestAgentKit.Channels.Xl;
using GuestAgentKit.EndToEnd.Tests.Agent;
using GuestAgentKit.Host.Provisioning;
using GuestAgentKit.Loopback;
using GuestAgentKit.XenStore;

namespace GuestAgentKit.EndToEnd.Tests.Faults;

/// <summary>
/// The fault tests' stage: the loopback Xen in this process (embedded xenstored and a guest kernel emulator per
/// domain, as the benchmarks run it), socket channels provisioned as <c>gak-host channel add</c> does, and
/// <c>gak-host backend --loopback R</c> as a separate PROCESS that can be killed and restarted. Disposing kills
/// what is still running and removes the root.
/// </summary>
internal sealed class LoopbackRig : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly LoopbackXen _xen;
    private readonly List<Tool> _processes = [];

    private LoopbackRig(LoopbackXen xen, XenStoreClient xs)
    {
        _xen = xen;
        Xs = xs;
        Sockets = Directory.CreateDirectory(Path.Combine(xen.Root, "s")).FullName;
    }

    public string Root => _xen.Root;

    /// <summary>A dom0 xenstore connection.</summary>
    public XenStoreClient Xs { get; }

    /// <summary>The backend process running now, if any.</summary>
    public Tool? Backend { get; private set; }

    private string Sockets { get; }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<LoopbackRig> StartAsync()
    {
        // Short: channel socket paths under it must stay below 108 bytes.
        var root = Path.Combine(Path.GetTempPath(), "gak-f-" + Guid.NewGuid().ToString("N")[..10]);
        var xen = await LoopbackXen.StartAsync(root, cancellationToken: Ct).WaitAsync(Timeout, Ct);
        var xs = await XenStoreClient.ConnectAsync(XenStoreEndpoint.FromPath(xen.XenStoreSocketPath), Ct).WaitAsync(Timeout, Ct);
        return new LoopbackRig(xen, xs);
    }

    /// <summary>Creates a domain with one socket channel (devid 1, so the guest sees it as hvc1).</summary>
    public async Task<RigChannel> AddDomainAsync(string domainName, string channelName)
    {
        var domain = await _xen.CreateDomainAsync(domainName, cancellationToken: Ct).WaitAsync(Timeout, Ct);
        var socketPath = Path.Combine(Sockets, domainName + ".sock");
        var spec = new XlChannelSpec(ChannelName.Parse(channelName), ChannelConnection.Socket, socketPath);
        var info = await new ChannelProvisioner(Xs).AddAsync(domain.Id, spec, Ct).WaitAsync(Timeout, Ct);
        if (info.Devid != 1)
        {
            var dump = new System.Text.StringBuilder();
            await DumpAsync(dump, $"/local/domain/{domain.Id}");
            await DumpAsync(dump, $"/local/domain/0/backend/console/{domain.Id}");
            Assert.Fail($"first channel of a new domain got devid {info.Devid}:\n{dump}\nbackend log:\n{Tail(Backend?.Stdout + Backend?.Stderr)}");
        }

        return new RigChannel(domain, info, socketPath, Path.Combine(domain.GuestDirectory, "hvc" + info.Devid.ToString(CultureInfo.InvariantCulture)));
    }

    /// <summary>Starts <c>gak-host backend --loopback R</c> (extra options appended).</summary>
    public Tool StartBackend(params string[] options)
    {
        Backend = StartProcess("gak-host", ["backend", "--loopback", Root, .. options]);
        return Backend;
    }

    /// <summary>Starts <c>gak-agent run</c> as the domain's guest agent (finding its hvc through the domain's xenbus
    /// stand-in) and waits until it has opened the tty and waits for dom0's hello.</summary>
    public async Task<Tool> StartAgentAsync(RigChannel channel)
    {
        var agent = StartProcess("gak-agent", "run", "--xenbus", channel.Domain.XenbusPath, "--device-dir", channel.Domain.GuestDirectory);
        await agent.WaitForStderrAsync("waiting for dom0's hello", Timeout);
        return agent;
    }

    /// <summary>Starts one of our tools; the rig kills it on dispose if still running.</summary>
    public Tool StartProcess(string tool, params string[] args)
    {
        var process = Tool.Start(tool, args);
        lock (_processes)
        {
            _processes.Add(process);
        }

        return process;
    }

    /// <summary>Waits until the channel's backend <c>state</c> is Connected (4) and its guest device exists.</summary>
    public async Task WaitConnectedAsync(RigChannel channel)
    {
        await WaitUntilAsync(
            async () => await Xs.ReadAsync(channel.Info.BackendPath + "/state", Ct) == "4" && File.Exists(channel.Device),
            $"channel {channel.Info.Domain}/{channel.Info.Devid} Connected with {channel.Device}");
    }

    /// <summary>Polls a condition another process brings about (every 20 ms, bounded by <see cref="Timeout"/>);
    /// <paramref name="now"/> says, on a timeout, what the condition saw last.</summary>
    public async Task WaitUntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null, Func<string>? now = null)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < (timeout ?? Timeout), $"timed out waiting for {what}{(now is null ? "" : "; now " + now())}; backend log:\n{Tail(Backend?.Stdout + Backend?.Stderr)}");
            await Task.Delay(20, Ct);
        }
    }

    /// <summary>
    /// Connects to a channel socket, retrying while it is absent, refused (a stale socket of a killed backend) or
    /// its backlog is full, bounded by <paramref name="timeout"/>.
    /// </summary>
    public static async Task<Socket> ConnectAsync(string path, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), Ct).AsTask().WaitAsync(timeout, Ct);
                return socket;
            }
            catch (SocketException e) when (clock.Elapsed < timeout && e.SocketErrorCode is SocketError.ConnectionRefused
                or SocketError.WouldBlock or SocketError.AddressNotAvailable or SocketError.HostNotFound)
            {
                socket.Dispose();
                await Task.Delay(10, Ct);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
    }

    /// <summary>The channel's ring indices read from its page file (for failure messages), and the backend log.</summary>
    public async Task<string> DescribeAsync(RigChannel channel)
    {
        var front = channel.Info.FrontendPath;
        var refText = await Xs.ReadAsync(front + "/ring-ref", Ct);
        var page = Path.Combine(Root, "grants", channel.Info.Domain.ToString(), refText ?? "?");
        string ring;
        try
        {
            var bytes = await File.ReadAllBytesAsync(page, Ct);
            uint At(int offset) => BitConverter.ToUInt32(bytes, offset);
            ring = string.Create(CultureInfo.InvariantCulture, $"in_cons {At(3072)} in_prod {At(3076)} (in ring holds {At(3076) - At(3072)}), out_cons {At(3080)} out_prod {At(3084)} (out ring holds {At(3084) - At(3080)})");
        }
        catch (IOException e)
        {
            ring = $"page {page} unreadable: {e.Message}";
        }

        return $"frontend state {await Xs.ReadAsync(front + "/state", Ct)}, backend state {await Xs.ReadAsync(channel.Info.BackendPath + "/state", Ct)}; {ring}; backend log:\n{Tail(Backend?.Stdout + Backend?.Stderr)}";
    }

    private async Task DumpAsync(System.Text.StringBuilder dump, string path)
    {
        dump.Append(path).Append(" = ").Append(await Xs.ReadAsync(path, Ct)).Append('\n');
        foreach (var child in await Xs.DirectoryAsync(path, Ct))
        {
            await DumpAsync(dump, path + "/" + child);
        }
    }

    /// <summary>The last lines of a log, for failure messages.</summary>
    public static string Tail(string? log) => log is null ? "(none)" : string.Join('\n', log.Split('\n').TakeLast(40));

    public async ValueTask DisposeAsync()
    {
        List<Tool> processes;
        lock (_processes)
        {
            processes = [.. _processes];
        }

        foreach (var process in processes)
        {
            await process.DisposeAsync();
        }

        await Xs.DisposeAsync();
        await _xen.DisposeAsync();
    }
}
