using System.Diagnostics;
using System.Text;

namespace GuestAgentKit.EndToEnd.Tests.Agent;

/// <summary>Runs <c>dotnet gak-agent.dll ...</c> / <c>gak-host.dll</c> from the test output as separate processes.</summary>
internal sealed class Tool : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private Tool(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Append(_stdout, e.Data);
        _process.ErrorDataReceived += (_, e) => Append(_stderr, e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Stdout
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public static Tool Start(string tool, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, tool + ".dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        return new Tool(Process.Start(start) ?? throw new InvalidOperationException("cannot start dotnet"));
    }

    /// <summary>Runs a tool to completion (bounded) and returns exit code, stdout, stderr.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string tool, params string[] args)
    {
        await using var run = Start(tool, args);
        var code = await run.WaitAsync(TimeSpan.FromSeconds(60));
        return (code, run.Stdout, run.Stderr);
    }

    public async Task<int> WaitAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(timeout, TestContext.Current.CancellationToken);
        _process.WaitForExit(); // Flushes the redirected output.
        return _process.ExitCode;
    }

    /// <summary>Waits until the process has logged <paramref name="text"/> on stderr (its readiness signal): bounded,
    /// checking every 50 ms; fails with the log when it does not come.</summary>
    public Task WaitForStderrAsync(string text, TimeSpan timeout) => WaitForOutputAsync(() => Stderr, "stderr", text, timeout);

    /// <summary>Waits until the process has printed <paramref name="text"/> on stdout; as <see cref="WaitForStderrAsync"/>.</summary>
    public Task WaitForStdoutAsync(string text, TimeSpan timeout) => WaitForOutputAsync(() => Stdout, "stdout", text, timeout);

    /// <summary>Sends SIGTERM (what systemd sends to stop a unit).</summary>
    public void Terminate() => Signal("TERM");

    /// <summary>Sends a signal by name (<c>STOP</c>, <c>CONT</c>, <c>TERM</c>, ...) with kill(1).</summary>
    public void Signal(string name)
    {
        using var kill = Process.Start("kill", ["-" + name, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
    }

    /// <summary><c>kill -9</c>: SIGKILL, no chance to clean up; returns once the process is gone (bounded).</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: false);
        await _process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }

        _process.Dispose();
    }

    private async Task WaitForOutputAsync(Func<string> output, string stream, string text, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(Stopwatch.Frequency * timeout.TotalSeconds);
        while (!output().Contains(text, StringComparison.Ordinal))
        {
            Assert.True(Stopwatch.GetTimestamp() < deadline && !_process.HasExited, $"no '{text}' from the process on {stream}; its stderr:\n{Stderr}");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    private static void Append(StringBuilder text, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (text)
        {
            text.Append(line).Append('\n');
        }
    }
}
