using System.Diagnostics;
using System.Runtime.Versioning;
using GuestAgentKit.EndToEnd.Tests.Agent;

namespace GuestAgentKit.EndToEnd.Tests.Samples;

/// <summary>
/// dom0 on the loopback Xen as an operator runs it by hand, every piece its own process: <c>gak-host loopback start</c>,
/// <c>loopback create</c>, <c>channel add</c> and <c>gak-host backend</c>. Disposing stops them and removes the directory.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class LoopbackDom0 : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly List<SampleProcess> _processes = [];

    private LoopbackDom0(string directory)
    {
        Directory = directory;
    }

    /// <summary>The test's private directory (the loopback root and the channel sockets live below it).</summary>
    public string Directory { get; }

    /// <summary>The loopback root R.</summary>
    public string Root => Path.Combine(Directory, "xen");

    /// <summary>A private directory for channel sockets.</summary>
    public string RunDirectory => Path.Combine(Directory, "run");

    /// <summary>The backend, once <see cref="StartBackendAsync"/> ran.</summary>
    public SampleProcess? Backend { get; private set; }

    public static async Task<LoopbackDom0> StartAsync(string prefix)
    {
        var dom0 = new LoopbackDom0(System.IO.Directory.CreateTempSubdirectory(prefix).FullName);
        System.IO.Directory.CreateDirectory(dom0.RunDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var loopback = dom0.Track(SampleProcess.Start("gak-host", ["loopback", "start", "--dir", dom0.Root]));
        await loopback.WaitForTextAsync($"ready {dom0.Root}", Timeout);
        return dom0;
    }

    /// <summary><c>gak-host loopback create --name NAME</c>; returns the domid it printed.</summary>
    public async Task<string> CreateDomainAsync(string name) =>
        (await HostAsync("loopback", "create", "--dir", Root, "--name", name)).Trim();

    /// <summary><c>gak-host channel add --loopback R DOM SPEC</c>.</summary>
    public Task<string> AddChannelAsync(string domain, string spec) => HostAsync("channel", "add", "--loopback", Root, domain, spec);

    /// <summary>Starts <c>gak-host backend --loopback R</c> and waits until it watches xenstore.</summary>
    public async Task<SampleProcess> StartBackendAsync()
    {
        Backend = Track(SampleProcess.Start("gak-host", ["backend", "--loopback", Root]));
        await Backend.WaitForTextAsync("backend started", Timeout);
        return Backend;
    }

    /// <summary>Waits until the backend serves <paramref name="socketPath"/> and the guest's tty for it exists.</summary>
    public async Task WaitForChannelAsync(string socketPath, string guestDevice)
    {
        Assert.NotNull(Backend);
        await Backend.WaitForTextAsync($"at {socketPath}", Timeout);
        // The guest kernel emulator links the pty when it probes the console; nothing announces it to another process.
        var deadline = Stopwatch.StartNew();
        while (!File.Exists(guestDevice))
        {
            Assert.True(deadline.Elapsed < Timeout, $"no {guestDevice} after {Timeout.TotalSeconds} s");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    /// <summary><c>R/guests/&lt;D&gt;/hvc&lt;N&gt;</c>: the loopback's /dev/hvcN of a domain.</summary>
    public string GuestDevice(string domain, int line) => Path.Combine(Root, "guests", domain, $"hvc{line}");

    /// <summary>Runs <c>gak-host ARGS</c> to completion; asserts exit code 0 and returns stdout.</summary>
    public static async Task<string> HostAsync(params string[] args)
    {
        var (code, stdout, stderr) = await Tool.RunAsync("gak-host", args);
        Assert.True(code == 0, $"gak-host {string.Join(' ', args)}: exit {code}: {stderr}");
        return stdout;
    }

    /// <summary>Keeps <paramref name="process"/> to be killed on dispose (in reverse start order).</summary>
    public SampleProcess Track(SampleProcess process)
    {
        _processes.Add(process);
        return process;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            for (var i = _processes.Count - 1; i >= 0; i--)
            {
                if (i == 0)
                {
                    _processes[0].Terminate(); // the loopback tears its guests and files down on SIGTERM
                    try
                    {
                        await _processes[0].WaitForExitAsync(Timeout);
                    }
                    catch (TimeoutException)
                    {
                        // DisposeAsync below kills it.
                    }
                }

                await _processes[i].DisposeAsync();
            }
        }
        finally
        {
            // The test's own temp directory: Delete(recursive) removes symlinks (R/guests/*/hvcN) without following them.
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }
}
