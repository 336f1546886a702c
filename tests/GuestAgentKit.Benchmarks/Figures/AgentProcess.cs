using System.Diagnostics;

namespace GuestAgentKit.Benchmarks.Figures;

/// <summary>
/// <c>gak-agent run</c> on a loopback guest (the harness references gak-agent, so its dll sits next to ours),
/// started as udev/systemd would. <see cref="ReadyAfter"/> completes at the agent's log line saying its tty is open and
/// it waits for dom0's hello, with the time from process start to that line.
/// </summary>
internal sealed class AgentProcess : IAsyncDisposable
{
    private const string ReadyText = "waiting for dom0's hello";

    private readonly Process _process;
    private readonly Stopwatch _clock;
    private readonly TaskCompletionSource<TimeSpan> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private AgentProcess(Process process, Stopwatch clock)
    {
        _process = process;
        _clock = clock;
    }

    public Process Process => _process;

    public Task<TimeSpan> ReadyAfter => _ready.Task;

    public static AgentProcess Start(string xenbus, string deviceDirectory)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "gak-agent.dll"), "run", "--xenbus", xenbus, "--device-dir", deviceDirectory })
        {
            info.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var clock = new Stopwatch();
        var agent = new AgentProcess(process, clock);
        process.OutputDataReceived += (_, e) => agent.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => agent.OnLine(e.Data);
        process.Exited += (_, _) => agent._ready.TrySetException(new InvalidOperationException("gak-agent exited before it was ready"));
        clock.Start();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return agent;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is not null && line.Contains(ReadyText, StringComparison.Ordinal))
        {
            _ready.TrySetResult(_clock.Elapsed);
        }
    }
}
