using System.Globalization;
using GuestAgentKit.Channels;
using GuestAgentKit.Host.Client;

namespace GuestAgentKit.EndToEnd.Tests.Agent;

/// <summary>
/// The whole chain as separate processes, each started as an operator would (docs/loopback.md "Running an agent
/// against a loopback domain by hand"): <c>gak-host loopback start</c>, <c>loopback create</c>, <c>channel add</c>,
/// <c>gak-host backend --loopback R</c>, and <c>gak-agent run</c> given a channel name and the domain's xenbus
/// stand-in. Every process is killed on dispose.
/// </summary>
internal sealed class LoopbackChain : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly List<Tool> _agents = [];
    private readonly Tool _loopback;

    private LoopbackChain(string root, Tool loopback)
    {
        Root = root;
        _loopback = loopback;
    }

    public string Root { get; }

    public Tool? Backend { get; private set; }

    /// <summary>Starts the loopback Xen in a fresh directory (which <c>loopback start</c> removes when it stops).</summary>
    public static async Task<LoopbackChain> StartAsync()
    {
        var root = Path.Combine(Path.GetTempPath(), "gak-e2e-chain-" + Guid.NewGuid().ToString("N")[..12]);
        var chain = new LoopbackChain(root, Tool.Start("gak-host", "loopback", "start", "--dir", root));
        try
        {
            await chain._loopback.WaitForStdoutAsync("ready " + root, Timeout);
            return chain;
        }
        catch
        {
            await chain.DisposeAsync();
            throw;
        }
    }

    /// <summary><c>gak-host loopback create</c>; returns the domid it printed.</summary>
    public async Task<int> CreateDomainAsync(string name)
    {
        var domid = await RunHostAsync("loopback", "create", "--dir", Root, "--name", name);
        return int.Parse(domid.Trim(), CultureInfo.InvariantCulture);
    }

    /// <summary><c>gak-host channel add</c> of a socket channel; returns the socket path.</summary>
    public async Task<string> AddChannelAsync(int domid, ChannelName channel)
    {
        var socket = Path.Combine(Root, channel.Value + ".sock");
        await RunHostAsync("channel", "add", "--loopback", Root, domid.ToString(CultureInfo.InvariantCulture), $"connection=socket, name={channel}, path={socket}");
        return socket;
    }

    public void StartBackend()
    {
        Assert.Null(Backend);
        Backend = Tool.Start("gak-host", "backend", "--loopback", Root);
    }

    /// <summary>Stops the backend as systemd would (SIGTERM) and waits for a clean exit.</summary>
    public async Task StopBackendAsync()
    {
        var backend = Backend ?? throw new InvalidOperationException("no backend running");
        backend.Terminate();
        var code = await backend.WaitAsync(Timeout);
        Assert.True(code == 0, $"the backend exited with {code}:\n{backend.Stderr}");
        await backend.DisposeAsync();
        Backend = null;
    }

    /// <summary><c>gak-agent run --channel NAME</c> inside domain <paramref name="domid"/>: no device given, only the name.</summary>
    public Tool StartAgent(int domid, ChannelName channel)
    {
        var guest = Path.Combine(Root, "guests", domid.ToString(CultureInfo.InvariantCulture));
        var agent = Tool.Start("gak-agent", "run", "--channel", channel.Value, "--xenbus", Path.Combine(guest, "xenbus"), "--device-dir", guest);
        _agents.Add(agent);
        return agent;
    }

    /// <summary>
    /// Connects a dom0 client once the channel is served: the backend creates the socket when it has connected the
    /// ring, and the agent answers once it found its tty. Retried until <see cref="Timeout"/>; each attempt bounded.
    /// </summary>
    public static async Task<AgentClient> ConnectWhenServedAsync(string socket, ChannelName channel)
    {
        var ct = TestContext.Current.CancellationToken;
        var options = new AgentClientOptions { HandshakeTimeout = TimeSpan.FromSeconds(5), CallTimeout = TimeSpan.FromSeconds(30) };
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            try
            {
                return await AgentClient.ConnectAsync(socket, channel, options, ct).WaitAsync(Timeout, ct);
            }
            catch (AgentConnectionException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200, ct);
            }
        }
    }

    /// <summary>Runs <c>gak-host</c> to completion; fails with its stderr unless it exits 0; returns stdout.</summary>
    public static async Task<string> RunHostAsync(params string[] args)
    {
        var (code, stdout, stderr) = await Tool.RunAsync("gak-host", args);
        Assert.True(code == 0, $"gak-host {string.Join(' ', args)} exited {code}: {stderr}");
        return stdout;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var agent in _agents)
        {
            await agent.DisposeAsync();
        }

        if (Backend is not null)
        {
            await Backend.DisposeAsync();
        }

        if (!_loopback.HasExited)
        {
            _loopback.Terminate(); // tears the loopback down and removes the root it created
            try
            {
                await _loopback.WaitAsync(Timeout);
            }
            catch (TimeoutException)
            {
            }
        }

        await _loopback.DisposeAsync();
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }
}
