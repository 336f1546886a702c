using System.Diagnostics;
using System.Globalization;

namespace GuestAgentKit.Benchmarks.Figures;

/// <summary>
/// One <c>gak-host backend --loopback R</c> process (the harness references gak-host, so its dll sits next
/// to ours), with its memory and CPU read from /proc. Its log is drained and dropped: a full pipe would
/// stall the backend mid-measurement.
/// </summary>
internal sealed class BackendProcess : IAsyncDisposable
{
    private readonly Process _process;

    private BackendProcess(Process process) => _process = process;

    public static BackendProcess Start(string root)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "gak-host.dll"), "backend", "--loopback", root })
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start gak-host backend");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new BackendProcess(process);
    }

    public bool HasExited => _process.HasExited;

    /// <summary>Resident memory (VmRSS), KiB.</summary>
    public long ResidentKiB() =>
        File.ReadLines($"/proc/{_process.Id}/status")
            .Where(line => line.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Select(line => long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture))
            .Single();

    /// <summary>CPU ticks (1/100 s) of each thread so far, keyed by thread id, with the thread's name.</summary>
    public Dictionary<int, (string Name, long Ticks)> ThreadTicks()
    {
        var threads = new Dictionary<int, (string, long)>();
        foreach (var dir in Directory.EnumerateDirectories($"/proc/{_process.Id}/task"))
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture); // utime, stime
                threads[int.Parse(Path.GetFileName(dir), CultureInfo.InvariantCulture)] = (File.ReadAllText(Path.Combine(dir, "comm")).TrimEnd('\n'), ticks);
            }
            catch (IOException)
            {
                // the thread ended
            }
        }

        return threads;
    }

    /// <summary>User + system CPU time so far.</summary>
    public TimeSpan CpuTime()
    {
        _process.Refresh();
        return _process.TotalProcessorTime;
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
}
