using System.Diagnostics;

namespace GuestAgentKit.Samples.FirstBoot.Demo;

/// <summary>
/// This program in <c>agent</c> mode as a child process, the way udev/systemd start the agent in a guest.
/// Its log goes to stderr; <see cref="Ready"/> completes when it has opened its tty and waits for dom0's hello.
/// </summary>
internal sealed class AgentProcess : IAsyncDisposable
{
    /// <summary>What the agent host logs once the tty is open and input flushed (AgentRunner's log line).</summary>
    private const string ReadyText = "waiting for dom0's hello";

    private readonly Process _process;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> _log = [];

    private AgentProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public Task Ready => _ready.Task;

    /// <summary>The agent's log so far (for error reports).</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return string.Join('\n', _log);
            }
        }
    }

    /// <summary>The command that runs this program: the apphost, or <c>dotnet FirstBoot.dll</c>.</summary>
    public static (string FileName, string[] Prefix) SelfCommand()
    {
        var processPath = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell which executable runs this program");
        return Path.GetFileNameWithoutExtension(processPath) == "dotnet"
            ? (processPath, [typeof(AgentProcess).Assembly.Location])
            : (processPath, []);
    }

    public static AgentProcess Start(IEnumerable<string> agentArguments)
    {
        var (fileName, prefix) = SelfCommand();
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in prefix.Append("agent").Concat(agentArguments))
        {
            info.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var agent = new AgentProcess(process);
        process.ErrorDataReceived += (_, e) => agent.OnLine(e.Data);
        process.OutputDataReceived += (_, e) => agent.OnLine(e.Data);
        process.Exited += (_, _) => agent._ready.TrySetException(new InvalidOperationException($"the agent exited with code {process.ExitCode}:\n{agent.Log}"));
        process.Start();
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return agent;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            // Already gone, or refusing to die after SIGKILL (nothing more to do).
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.Add(line);
        }

        if (line.Contains(ReadyText, StringComparison.Ordinal))
        {
            _ready.TrySetResult();
        }
    }
}
