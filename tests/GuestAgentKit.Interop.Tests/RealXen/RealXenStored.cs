using System.Diagnostics;
using System.Net.Sockets;
using GuestAgentKit.XenStore;

namespace GuestAgentKit.Interop.Tests.RealXen;

/// <summary>
/// Debian's real C <c>xenstored</c> or OCaml <c>oxenstored</c>, running without a hypervisor on a fresh
/// loopback root through the tests/native stand-ins. Disposing kills it and removes the root.
/// </summary>
internal sealed class RealXenStored : IAsyncDisposable
{
    /// <summary>
    /// Bound for <see cref="StartAsync(XenStoredKind, bool, CancellationToken)"/>: the first start of a run also compiles the stand-ins,
    /// which takes seconds on a busy 2-core machine.
    /// </summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    private readonly Process _process;
    private int _disposed;

    private RealXenStored(XenStoredKind kind, string root, NativeStandIns standIns, Process process)
    {
        Kind = kind;
        Root = root;
        StandIns = standIns;
        _process = process;
    }

    /// <summary>Which daemon runs.</summary>
    public XenStoredKind Kind { get; }

    /// <summary>The loopback root R.</summary>
    public string Root { get; }

    /// <summary>Dom0's xenstore socket, R/xenstored/socket (what XENSTORED_PATH names).</summary>
    public string SocketPath => Path.Combine(Root, "xenstored", "socket");

    /// <summary>The stand-ins the daemon runs on.</summary>
    public NativeStandIns StandIns { get; }

    /// <summary>The environment of a dom0 xenstore client of this daemon (xenstore-* tools, libxenstore).</summary>
    public Dictionary<string, string> ClientEnvironment() => new()
    {
        ["XENSTORED_PATH"] = SocketPath,
        ["GAK_LOOPBACK_DIR"] = Root,
    };

    /// <summary>Starts the daemon on a fresh root and returns once its socket accepts connections.</summary>
    public static Task<RealXenStored> StartAsync(XenStoredKind kind, CancellationToken cancellationToken) =>
        StartAsync(kind, trace: true, cancellationToken);

    /// <summary>Starts the daemon on a fresh root and returns once its socket accepts connections.</summary>
    /// <param name="kind">Which daemon.</param>
    /// <param name="trace">
    /// Whether C xenstored logs every message to R/xenstored/trace (-T): on for tests (a post-mortem),
    /// off for benchmarks, where the trace write per message halves its throughput.
    /// </param>
    /// <param name="cancellationToken">Stops the start.</param>
    public static async Task<RealXenStored> StartAsync(XenStoredKind kind, bool trace, CancellationToken cancellationToken)
    {
        var binary = XenPackages.Daemon(kind == XenStoredKind.C ? "xenstored" : "oxenstored");
        var standIns = await NativeStandIns.GetAsync(cancellationToken);
        var root = LoopbackDirectory.Create();
        var dir = Path.Combine(root, "xenstored");
        var environment = standIns.DaemonEnvironment(root);
        environment["XENSTORED_PATH"] = Path.Combine(dir, "socket");
        environment["XENSTORED_RUNDIR"] = dir;
        environment["XENSTORED_ROOTDIR"] = dir;
        string[] arguments;
        if (kind == XenStoredKind.C)
        {
            arguments = trace
                ? ["-N", "-F", Path.Combine(dir, "pid"), "-T", Path.Combine(dir, "trace")]
                : ["-N", "-F", Path.Combine(dir, "pid")];
        }
        else
        {
            // oxenstored reads paths from a config file only; its socket path is compiled in and
            // redirected into R/xenstored by the preload.
            var config = Path.Combine(dir, "oxenstored.conf");
            await File.WriteAllTextAsync(
                config,
                $"""
                pid-file = {dir}/pid
                xenstored-log-file = {dir}/oxenstored.log
                access-log-file = {dir}/access.log
                persistent = false
                xenstored-kva = /proc/xen/xsd_kva
                xenstored-port = /proc/xen/xsd_port

                """,
                cancellationToken);
            arguments = ["--no-fork", "--config-file", config];
        }

        var process = ChildProcess.Start(binary, arguments, environment);
        var daemon = new RealXenStored(kind, root, standIns, process);
        try
        {
            await DaemonReadiness.WaitAsync(process, Path.GetFileName(binary), daemon.Accepts, cancellationToken);
        }
        catch
        {
            await daemon.DisposeAsync();
            throw;
        }

        return daemon;
    }

    /// <summary>A dom0 client of this daemon.</summary>
    public Task<XenStoreClient> ConnectAsync(CancellationToken cancellationToken) =>
        XenStoreClient.ConnectAsync(XenStoreEndpoint.FromPath(SocketPath), cancellationToken);

    /// <summary>Runs one of Debian's xenstore-* tools against this daemon.</summary>
    public Task<ProcessResult> RunToolAsync(string tool, params string[] arguments) =>
        ChildProcess.RunAsync(XenPackages.Tool(tool), arguments, ClientEnvironment(), ChildProcess.DefaultTimeout, CancellationToken.None);

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await ChildProcess.StopAsync(_process);
        _process.Dispose();
        LoopbackDirectory.Delete(Root);
    }

    private bool Accepts()
    {
        if (!File.Exists(SocketPath))
        {
            return false;
        }

        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(SocketPath));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
