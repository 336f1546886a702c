using System.Diagnostics;
using System.Text;

namespace GuestAgentKit.EndToEnd.Tests.Samples;

/// <summary>A sample program from the test output directory (<c>dotnet &lt;name&gt;.dll ...</c>) with its output captured.</summary>
internal sealed class SampleProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource _sawText = new(TaskCreationOptions.RunContinuationsAsynchronously);
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
    public Task SawText => _sawText.Task;

    public static SampleProcess Start(string program, IEnumerable<string> arguments, string? waitFor = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, program + ".dll"));
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = info };
        var sample = new SampleProcess(process, waitFor);
        process.OutputDataReceived += (_, e) => sample.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => sample.OnLine(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return sample;
    }

    /// <summary>Waits for exit and returns the exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(timeout, TestContext.Current.CancellationToken);
        _process.WaitForExit(); // drains the redirected output
        return _process.ExitCode;
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

        lock (_output)
        {
            _output.AppendLine(line);
        }

        if (_waitFor is not null && line.Contains(_waitFor, StringComparison.Ordinal))
        {
            _sawText.TrySetResult();
        }
    }
}
