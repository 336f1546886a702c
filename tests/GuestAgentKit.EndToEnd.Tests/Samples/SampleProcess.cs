using System.Diagnostics;
using System.Text;

namespace GuestAgentKit.EndToEnd.Tests.Samples;

/// <summary>
/// A long-running program as its own process with stdout and stderr captured together: one of ours from the test
/// output directory (<c>dotnet &lt;name&gt;.dll ...</c>) or any executable (qemu-ga). Disposing kills it and its children.
/// </summary>
internal sealed class SampleProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly List<(string Text, TaskCompletionSource Seen)> _waiters = [];
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string? _waitFor;

    private SampleProcess(Process process, string? waitFor)
    {
        _process = process;
        _waitFor = waitFor;
    }

    /// <summary>Everything written to stdout and stderr so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Completes when a line containing the text given to <see cref="Start"/> appeared.</summary>
    public Task SawText => _waitFor is null ? Task.CompletedTask : WaitForTextAsync(_waitFor);

    /// <summary>The process's standard input (only when started with <c>redirectInput</c>).</summary>
    public StreamWriter Input => _process.StandardInput;

    public int Id => _process.Id;

    /// <summary>Starts <c>dotnet &lt;program&gt;.dll arguments...</c> from the test output directory.</summary>
    public static SampleProcess Start(string program, IEnumerable<string> arguments, string? waitFor = null, bool redirectInput = false) =>
        StartExecutable("dotnet", arguments.Prepend(Path.Combine(AppContext.BaseDirectory, program + ".dll")), waitFor, redirectInput);

    /// <summary>Starts any executable.</summary>
    public static SampleProcess StartExecutable(string fileName, IEnumerable<string> arguments, string? waitFor = null, bool redirectInput = false)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = redirectInput,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var sample = new SampleProcess(process, waitFor);
        process.OutputDataReceived += (_, e) => sample.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => sample.OnLine(e.Data);
        process.Exited += (_, _) => sample._exited.TrySetResult();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return sample;
    }

    /// <summary>
    /// Waits (bounded) until a line containing <paramref name="text"/> has appeared, at any time since the start;
    /// fails at once with the output so far when the process exits first.
    /// </summary>
    public async Task WaitForTextAsync(string text, TimeSpan? timeout = null)
    {
        TaskCompletionSource seen;
        lock (_output)
        {
            if (_output.ToString().Contains(text, StringComparison.Ordinal))
            {
                return;
            }

            seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((text, seen));
        }

        var limit = timeout ?? TimeSpan.FromSeconds(30);
        try
        {
            var first = await Task.WhenAny(seen.Task, _exited.Task).WaitAsync(limit, TestContext.Current.CancellationToken);
            if (first != seen.Task && !seen.Task.IsCompleted)
            {
                _process.WaitForExit(); // drains the redirected output
                Assert.True(seen.Task.IsCompleted, $"{_process.StartInfo.FileName} exited ({_process.ExitCode}) without printing '{text}':\n{Output}");
            }
        }
        catch (TimeoutException)
        {
            Assert.Fail($"no '{text}' from {_process.StartInfo.FileName} within {limit.TotalSeconds} s; its output:\n{Output}");
        }
    }

    /// <summary>Waits for exit and returns the exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(timeout, TestContext.Current.CancellationToken);
        _process.WaitForExit(); // drains the redirected output
        return _process.ExitCode;
    }

    /// <summary>Sends SIGTERM (what systemd and Ctrl-C's cousin send to stop a program cleanly).</summary>
    public void Terminate()
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
            kill.WaitForExit();
        }
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

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        List<TaskCompletionSource> seen = [];
        lock (_output)
        {
            _output.AppendLine(line);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (line.Contains(_waiters[i].Text, StringComparison.Ordinal))
                {
                    seen.Add(_waiters[i].Seen);
                    _waiters.RemoveAt(i);
                }
            }
        }

        seen.ForEach(s => s.TrySetResult());
    }
}
