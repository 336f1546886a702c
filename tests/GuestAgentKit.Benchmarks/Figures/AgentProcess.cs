using System.Diagnostics;

namespace GuestAgentKit.Benchmarks.Figures;

/// <summary>
/// An agent process (<c>gak-agent run</c>, or a sample's agent command) on a loopback guest, started as udev/systemd
/// would. <see cref="ReadyAfter"/> completes at the agent's log line saying its tty is open and it waits for dom0's
/// hello, with the time from process start to that line; <see cref="Elapsed"/> keeps counting from the start.
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

    /// <summary>Time since the process was started.</summary>
    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>Starts <paramref name="build"/> with <paramref name="arguments"/> after its prefix.</summary>
    public static AgentProcess Start(AgentBuild build, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(build.FileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in build.Prefix.Concat(arguments))
        {
            info.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var clock = new Stopwatch();
        var agent = new AgentProcess(process, clock);
        process.OutputDataReceived += (_, e) => agent.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => agent.OnLine(e.Data);
        process.Exited += (_, _) => agent._ready.TrySetException(new InvalidOperationException($"{Path.GetFileName(build.Prefix.FirstOrDefault() ?? build.FileName)} exited before it was ready"));
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
