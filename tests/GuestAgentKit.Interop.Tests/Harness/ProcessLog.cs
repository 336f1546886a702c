using System.Diagnostics;
using System.Text;

namespace GuestAgentKit.Interop.Tests.Harness;

/// <summary>
/// A child's stdout and stderr, drained as they come (an unread pipe would stall a process that logs) and
/// kept for failure messages.
/// </summary>
internal sealed class ProcessLog
{
    private readonly string _what;
    private readonly StringBuilder _text = new();
    private readonly List<(string Text, TaskCompletionSource Seen)> _waiters = [];

    private ProcessLog(string what) => _what = what;

    /// <summary>Starts draining <paramref name="process"/> (started with both streams redirected).</summary>
    public static ProcessLog Follow(Process process, string what)
    {
        var log = new ProcessLog(what);
        process.OutputDataReceived += (_, e) => log.Append(e.Data);
        process.ErrorDataReceived += (_, e) => log.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return log;
    }

    /// <summary>Completes when a line containing <paramref name="text"/> has been written (before or after this call).</summary>
    public Task WaitForAsync(string text)
    {
        lock (_text)
        {
            if (_text.ToString().Contains(text, StringComparison.Ordinal))
            {
                return Task.CompletedTask;
            }

            var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((text, seen));
            return seen.Task;
        }
    }

    /// <summary>Everything so far, headed by what the process is.</summary>
    public override string ToString()
    {
        lock (_text)
        {
            return $"{_what} output:\n{_text}";
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_text)
            {
                _text.AppendLine(line);
                foreach (var waiter in _waiters.Where(w => line.Contains(w.Text, StringComparison.Ordinal)).ToList())
                {
                    _waiters.Remove(waiter);
                    waiter.Seen.TrySetResult();
                }
            }
        }
    }
}
