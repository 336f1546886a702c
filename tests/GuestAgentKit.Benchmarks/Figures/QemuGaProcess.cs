using System.Diagnostics;

namespace GuestAgentKit.Benchmarks.Figures;

/// <summary>
/// Debian's qemu-ga on a guest tty, as a QEMU guest runs it on a serial port: <c>qemu-ga -m isa-serial -p
/// DEVICE</c>, with its pid file and state directory in a private directory.
/// </summary>
internal sealed class QemuGaProcess : IAsyncDisposable
{
    public const string Binary = "/usr/sbin/qemu-ga";

    private readonly Process _process;
    private readonly string _directory;

    private QemuGaProcess(Process process, string directory)
    {
        _process = process;
        _directory = directory;
    }

    public Process Process => _process;

    public static QemuGaProcess Start(string device)
    {
        if (!File.Exists(Binary))
        {
            throw new FileNotFoundException($"{Binary} is missing: install the qemu-guest-agent package");
        }

        var directory = Directory.CreateTempSubdirectory("gak-qga-").FullName;
        var info = new ProcessStartInfo(Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-m", "isa-serial", "-p", device, "-f", Path.Combine(directory, "qga.pid"), "-t", directory })
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start qemu-ga");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new QemuGaProcess(process, directory);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
